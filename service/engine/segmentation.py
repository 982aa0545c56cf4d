"""Paragraph breaks end sentences: a blank line always starts a new sentence (issue #9).

The extension sends an article's blocks (paragraphs, headings, list items, captions) separated by a
blank line. The parser alone sometimes runs a sentence across that break (a photo credit, a dateline
and the first paragraph as one "sentence"). This component runs before the parser and marks the
first token after every blank line as a sentence start; the parser keeps preset boundaries.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc

NAME = "sourcewise_paragraphs"
# A line break, optional spaces/tabs (or the CR of a CRLF pair), another line break; also a form feed,
# the paragraph separator U+2029 and two CRs (old Mac line ends).
BLANK_LINE = re.compile(r"\n[^\S\n]*\n|\r[^\S\r\n]*\r|[\f\u2029]")


CUTS_EXTENSION = "sourcewise_cuts"  # a chunk read inside a window: where the whole text's long blocks are cut (#16)
if not Doc.has_extension(CUTS_EXTENSION):
    Doc.set_extension(CUTS_EXTENSION, default=None)


@Language.component(NAME)
def mark_paragraph_starts(doc: Doc) -> Doc:
    """Set ``is_sent_start`` on the first non-space token after each blank line, and where ``chunking`` cuts a block
    too long for one chunk (a text with no blank lines), so a whole Doc and its chunks have the same preset starts."""
    from .chunking import inner_cuts  # chunking reads BLANK_LINE from here

    cuts = doc._.get(CUTS_EXTENSION)
    cuts = inner_cuts(doc.text) if cuts is None else cuts
    if not cuts and not BLANK_LINE.search(doc.text):
        return doc
    starts = [token.idx for token in doc]
    for at in [*(blank.end() for blank in BLANK_LINE.finditer(doc.text)), *cuts]:
        i = bisect_left(starts, at)
        while i < len(doc) and doc[i].is_space:
            i += 1
        if 0 < i < len(doc):
            doc[i].is_sent_start = True
    return doc
