"""Cut an article into paragraph-aligned chunks, each analysed as one Doc (#16).

A chunk is a run of whole blocks (blocks are separated by a blank line, which always ends a sentence:
``segmentation``), so no sentence is split. The first chunk is small, so its marks arrive early; later
ones grow to ``MAX_CHUNK_CHARS``, so the per-Doc cost stays small and peak memory follows the chunk,
not the article. A block longer than ``MAX_BLOCK_CHARS`` (a text with no blank lines) is cut where a
sentence most likely ends, else at a line break, else at a space.

Forward-looking context stays inside a chunk: a block that signs the quotation before it (a dash
signature, ``attribution._quote_signature``, read by ``attribution._continuations`` for the sentences
before it) is never the first block of a chunk; the block before it waits for it. Whatever else comes
to look forward across a blank line must be added to :func:`continues_previous`.

The chunks are a function of the text alone, so every path (plain, streamed, batch, CLI) analyses the
same chunks and gives the same result.
"""

from __future__ import annotations

import re

from .segmentation import BLANK_LINE

FIRST_CHUNK_CHARS = 600
MAX_CHUNK_CHARS = 4000
MAX_BLOCK_CHARS = 8000
# A dash signature: a closing quotation mark, then a dash ("… our greatest shame.” ― Sonya Herridge"), or a
# block that opens with a dash (signing the quotation that ended the block before).
_SIGNATURE = re.compile(r"[\"”’»]\s*(?:―|—|–|--)|\A\s*(?:―|—|–|--)")
# A cheap sentence end: final punctuation, closing quotes or brackets, whitespace, then a capital, digit or quote.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*\s+(?=[\"“‘(A-Z0-9])")
_ABBREVIATION = re.compile(r"(?:\b[A-Z][a-z]{0,2}|\b[A-Z](?:\.[A-Z])*|\b(?:e\.g|i\.e|etc|vs|No|St))\.[\"”’)\]]*\s+$")


def continues_previous(block: str) -> bool:
    """Whether the analysis of the block before needs this block (it signs that block's quotation)."""
    return _SIGNATURE.search(block) is not None


def blocks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each block, its blank-line separator included at its end; together they cover ``text``."""
    spans, start = [], 0
    for blank in BLANK_LINE.finditer(text):
        if blank.end() > start:
            spans.append((start, blank.end()))
            start = blank.end()
    if start < len(text) or not spans:
        spans.append((start, len(text)))
    return spans


def _cut(text: str, start: int, end: int) -> int:
    """Where to end a piece of the block ``text[start:end]`` at most ``MAX_BLOCK_CHARS`` long: after the last likely
    sentence end in its second half, else after its last line break, else after its last space, else at the limit."""
    limit = start + MAX_BLOCK_CHARS
    floor = start + MAX_BLOCK_CHARS // 2
    window = text[floor:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if not _ABBREVIATION.search(window[max(0, m.start() - 8) : m.end()])]
    if ends:
        return floor + ends[-1]
    for mark in ("\n", " "):
        at = window.rfind(mark)
        if at >= 0:
            return floor + at + 1
    return limit


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > MAX_BLOCK_CHARS:
        cut = _cut(text, start, end)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def inner_cuts(text: str) -> list[int]:
    """Where blocks longer than ``MAX_BLOCK_CHARS`` are cut (code points): ``segmentation`` starts a sentence at each, in
    a whole Doc as in a chunk, so the parser's reading after a cut never depends on the text before it (#16)."""
    return [start for block_start, block_end in blocks(text) if block_end - block_start > MAX_BLOCK_CHARS
            for start, _ in _pieces(text, block_start, block_end)[1:]]


def chunk_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` code-point ranges of the chunks, in order, covering ``text``."""
    chunks: list[tuple[int, int]] = []
    start = end = 0
    limit = FIRST_CHUNK_CHARS
    for block_start, block_end in blocks(text):
        for piece_start, piece_end in _pieces(text, block_start, block_end):
            joins = continues_previous(text[piece_start:piece_end]) and end - start < 4 * MAX_CHUNK_CHARS
            if end > start and piece_end - start > limit and not joins:
                chunks.append((start, end))
                start = end
                limit = min(limit * 2, MAX_CHUNK_CHARS)
            end = piece_end
    chunks.append((start, end))
    return chunks
