"""What one chunk of an article needs from the chunks before it (#16).

An article is analysed in paragraph-aligned chunks (``chunking``), one Doc each. The rules that look
back past a sentence (the speaker of the sentence before, the article's named sources, a poll or report
introduced earlier) read this carried state at a chunk's start, so a chunk sees what the whole article
before it would have shown. :class:`ArticleState` holds it between chunks; the driver
(``analysis.analyze_chunks``) puts the state a chunk starts from on its Doc (``doc._.sourcewise_context``)
and folds what the chunk leaves behind into the next state. Spans in it belong to earlier chunks' Docs,
which stay valid for the article's memory zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from .attribution import Attribution, CarriedAntecedents

EXTENSION = "sourcewise_context"


@dataclass(frozen=True)
class ArticleState:
    """The article before a chunk, as the labels depend on it.

    Attribution (``attribution.AttributionFinder``): whether a source was named yet, the last two sentences'
    rule-found relations, the last speakers and the names of the last sentences a pronoun may refer to
    (``attribution.CarriedAntecedents``), the previous sentence's own relations and speaker.
    Labels (``analysis.sentence_findings``, ``label_contexts``): the previous sentence's relations, the previous
    judged sentence's rule labels and findings summary (``label_features.findings_summary``), and the last two
    sentences' texts (the encoder's context). Both: the previous sentence and the lemmas seen so far.
    """

    chunks: int = 0  # chunks analysed before this one
    offset: int = 0  # where this chunk starts in the article, in code points
    previous_named: bool = False
    recent_ruled: tuple[list[Attribution], ...] = ()
    antecedents: CarriedAntecedents | None = None
    previous_sentence: Span | None = None
    previous_direct: tuple[Attribution, ...] = ()
    previous_speaker: Attribution | None = None
    previous_relations: tuple[Attribution, ...] = ()
    recent_texts: tuple[str, ...] = ()
    previous_rule_labels: tuple[str, ...] = ()
    previous_findings: tuple[bool, bool, bool, bool] = (False, False, False, False)
    lemmas: frozenset[str] = field(default_factory=frozenset)

    def after(self, doc: Doc, **changes) -> ArticleState:
        """The state once ``doc`` (this chunk) has been analysed: the attribution component's leftovers
        (``doc._.sourcewise_context_out``), the chunk's lemmas and last sentence, and ``changes``."""
        out = doc._.get(OUT_EXTENSION) or {}
        sentences = list(doc.sents)
        return replace(
            self,
            chunks=self.chunks + 1,
            lemmas=self.lemmas | {t.lemma_.lower() for t in doc},
            previous_sentence=sentences[-1] if sentences else self.previous_sentence,
            **out,
            **changes,
        )


OUT_EXTENSION = "sourcewise_context_out"
EMPTY = ArticleState()

for _name in (EXTENSION, OUT_EXTENSION):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def carried_in(doc: Doc) -> ArticleState:
    """The state this Doc's chunk starts from (the empty state for a Doc analysed on its own)."""
    return doc._.get(EXTENSION) or EMPTY


def sentence_before(sentence: Span) -> Span | None:
    """The sentence before this one, in this chunk or at the end of the chunk before."""
    if sentence.start > 0:
        return sentence.doc[sentence.start - 1].sent
    return carried_in(sentence.doc).previous_sentence


def lemma_before(doc: Doc, end: int, lemmas: Iterable[str] | frozenset[str]) -> bool:
    """Whether a token before index ``end`` of this chunk, or any earlier chunk, has one of ``lemmas`` (lower case)."""
    wanted = lemmas if isinstance(lemmas, (set, frozenset)) else frozenset(lemmas)
    return not carried_in(doc).lemmas.isdisjoint(wanted) or any(t.lemma_.lower() in wanted for t in doc[:end])
