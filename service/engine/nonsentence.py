"""Text that is not a sentence a reader judges (issue #9).

Photo credits ("Name/AFP/Getty Images"), bylines ("By Jane Doe"), datelines ("WASHINGTON —",
"Updated 5:32 PM ET"), interface strings ("Share this story", "ADVERTISING", "Related: …") and text
with no clause at all (chart axis labels, subheads such as "Kenya trip") come back with no labels,
``claim: false``, and do not count in the summary. The decision uses the parse (is there a clause?)
and the patterns in ``data/nonsentences.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy
from spacy.tokens import Span, Token

from .pipeline import get_nlp
from .resources import load_json

FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"})
# Dependents only a verb takes: a head with one is a verb, even when the tagger called it a noun
# ("The fleet numbers about 100 vessels").
VERB_DEPENDENTS = frozenset({"dobj", "dative", "attr", "acomp", "agent", "aux", "auxpass", "ccomp", "xcomp"})
SMALL_WORDS = frozenset("a an the and or but of in on at to for from by with as vs via into over after about up".split())
TITLE_CASE_MIN_WORDS = 3
# A text the parse finds no clause in is still judged when the tagger gave one of its words at least
# this chance of being a finite verb ("Society at large deserves access…", "deserves" read as a noun).
FINITE_VERB_CHANCE = 0.05
# Wrapping that does not change what the text is: brackets, bullets, dashes, closing punctuation.
_EDGES = " \t\r\n\f\v()[]{}<>.:;,|*•·–—-"


@dataclass(frozen=True)
class Kind:
    """One kind of non-sentence: its explanation and its compiled patterns."""

    name: str
    explanation: str
    patterns: tuple[re.Pattern, ...]
    verbless_patterns: tuple[re.Pattern, ...]


@cache
def _kinds() -> tuple[tuple[Kind, ...], int]:
    data = load_json("nonsentences.json")
    compile_all = lambda items: tuple(re.compile(p, re.IGNORECASE) for p in items)  # noqa: E731
    kinds = tuple(Kind(name, kind["explanation"], compile_all(kind["patterns"]), compile_all(kind["verbless_patterns"]))
                  for name, kind in data["kinds"].items())
    return kinds, int(data["max_tokens"])


NO_CLAUSE_EXPLANATION = "Not a sentence (no clause: a label, heading or fragment): not judged."


def _is_finite(token: Token) -> bool:
    return token.tag_ in FINITE_TAGS or "Fin" in token.morph.get("VerbForm")


def _is_clause_head(token: Token) -> bool:
    """A finite verb, a verb with its own subject ("Trump to visit Mexico"), or an imperative opening the text."""
    if _is_finite(token):
        return True
    if token.pos_ in {"VERB", "AUX"} and any(child.dep_ in SUBJECTS for child in token.children):
        return True
    return token.dep_ == "ROOT" and token.tag_ == "VB" and not any(child.dep_ in SUBJECTS for child in token.children)


def has_clause(span: Span) -> bool:
    """Whether the text contains a clause (by the parse), i.e. could state, ask or request something."""
    return any(_is_clause_head(token) or token.dep_ in SUBJECTS or token.dep_ in VERB_DEPENDENTS for token in span)


FINITE_CHANCE = "sourcewise_finite_chance"  # Doc.user_data key: each token's chance of being a finite verb


def finite_verb_chance(span: Span) -> float:
    """The highest probability the tagger gave any word of the span of being a finite verb (0.0 without a tagger).

    The tagger reads each token's row of ``doc.tensor`` alone, so its scores for the whole Doc, computed once and
    kept in ``user_data``, are exactly those of ``span.as_doc()`` (which copied the whole Doc per sentence:
    quadratic in a text of thousands of tiny sentences)."""
    nlp = get_nlp()
    doc = span.doc
    if "tagger" not in nlp.pipe_names or doc.tensor.size == 0:
        return 0.0
    chances = doc.user_data.get(FINITE_CHANCE)
    if chances is None or len(chances) != len(doc):
        tagger = nlp.get_pipe("tagger")
        finite = [i for i, tag in enumerate(tagger.labels) if tag in FINITE_TAGS]
        scores = numpy.asarray(tagger.model.predict([doc])[0])
        scores = numpy.exp(scores - scores.max(axis=1, keepdims=True))
        chances = scores[:, finite].sum(axis=1) / scores.sum(axis=1)
        doc.user_data[FINITE_CHANCE] = chances
    return float(chances[span.start : span.end].max(initial=0.0))


def title_case(span: Span) -> bool:
    """Headline capitals ("Wealthy Voters Abandon Republican Party"): the tagger reads such verbs as names."""
    words = [token.text for token in span if token.is_alpha and token.lower_ not in SMALL_WORDS]
    return len(words) >= TITLE_CASE_MIN_WORDS and all(word[0].isupper() for word in words)


def classify(span: Span, attributed: bool = False) -> str | None:
    """The kind of non-sentence the text is ("interface", "credit", "byline", "dateline", "no_clause"), or None to judge it.

    ``attributed``: the text signs a quotation ("— Maria Lopez, a teacher") or attributes its words
    ("Thousands of shootings, according to police."), so it is judged even without a clause.
    """
    kinds, max_tokens = _kinds()
    text = " ".join(span.text.split())
    parsed_clause = has_clause(span)
    if len(span) <= max_tokens:
        forms = (text.strip(_EDGES), text)
        for kind in kinds:
            if any(p.search(form) for p in kind.patterns for form in forms):
                return kind.name
            if not (parsed_clause or attributed) and any(p.search(form) for p in kind.verbless_patterns for form in forms):
                return kind.name
    # Judged after all: a question (with or without a verb), a Title Case headline (whose verbs the
    # tagger reads as names), attributed words, a word the tagger nearly read as a finite verb.
    if parsed_clause or text.endswith("?") or title_case(span) or attributed or finite_verb_chance(span) >= FINITE_VERB_CHANCE:
        return None
    return "no_clause"


def explanation(kind: str) -> str:
    """The one-line explanation a non-sentence carries."""
    for candidate in _kinds()[0]:
        if candidate.name == kind:
            return candidate.explanation
    return NO_CLAUSE_EXPLANATION
