"""Candidate attribution cues the rules do not cover, and their features for the trained classifier.

A candidate is a verb with someone to speak for it (its subject, the subject of the verb it
continues, or a passive agent: "Reid has gone after Trump", "PolitiFact rated 22%", "is supported by
unions") or a noun with a possessor ("his obsession with", "Clinton's plan"). The attribution
classifier (a spaCy bag-of-ngrams text classifier trained on PolNeAR with ``spacy train``, see
``training/``) reads the feature string and says whether the word attributes its sentence's content
to that source.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Span, Token

from .cue_features import _clean

SUBJECT_DEPS = {"nsubj", "nsubjpass"}
CONTINUING_DEPS = {"conj", "advcl", "xcomp"}
QUOTES = {'"', "“", "”", "‘", "’", "«", "»", "„"}


@dataclass(frozen=True)
class AttributionCandidate:
    """A word that may attribute its sentence, with the phrase that would be its source."""

    cue: Token
    source: Token


def _source_of(token: Token) -> Token | None:
    children = list(token.children)
    agent = next((c for c in children if c.dep_ == "agent"), None)
    if agent is not None:
        objects = [c for c in agent.children if c.dep_ == "pobj"]
        if objects:
            return objects[0]
    if token.pos_ == "NOUN":
        return next((c for c in children if c.dep_ == "poss"), None)
    subject = next((c for c in children if c.dep_ == "nsubj"), None)
    if subject is None and token.dep_ in CONTINUING_DEPS and token.head.pos_ in {"VERB", "AUX"}:
        subject = next((c for c in token.head.children if c.dep_ == "nsubj"), None)
    return subject


def candidates(sent: Span) -> list[AttributionCandidate]:
    """Every verb or possessed noun in the sentence that has a possible source."""
    found = []
    for token in sent:
        if token.pos_ not in {"VERB", "NOUN"}:
            continue
        source = _source_of(token)
        if source is not None and source.pos_ in {"NOUN", "PROPN", "PRON", "NUM"}:
            found.append(AttributionCandidate(token, source))
    return found


def _source_class(source: Token) -> str:
    if source.pos_ == "PRON":
        return f"PRON_{_clean(source.lower_)}"
    entity = source.ent_type_ or next((t.ent_type_ for t in source.subtree if t.ent_type_), "")
    if entity:
        return f"ENT_{entity}"
    return "PROPN" if source.pos_ == "PROPN" else f"NOUN_{_clean(source.tag_)}"


def candidate_features(candidate: AttributionCandidate) -> str:
    """Feature tokens for one candidate."""
    cue, source = candidate.cue, candidate.source
    sent = cue.sent
    lemma = f"L_{_clean(cue.lemma_)}"
    deps = sorted({_clean(c.dep_) for c in cue.children})
    preps = sorted({_clean(c.lower_) for c in cue.children if c.dep_ in {"prep", "prt", "mark", "agent"}})
    complement = next((c for c in cue.children if c.dep_ in {"ccomp", "xcomp"}), None)
    obj = next((c for c in cue.children if c.dep_ in {"dobj", "attr"}), None)
    auxes = sorted({_clean(c.lower_) for c in cue.children if c.dep_ in {"aux", "auxpass", "neg"}})
    source_class = _source_class(source)
    quoted = int(any(t.text in QUOTES for t in sent))
    features = [
        lemma,
        f"T_{_clean(cue.tag_)}",
        f"D_{_clean(cue.dep_)}",
        f"HL_{_clean(cue.head.lemma_)}",
        f"SC_{source_class}",
        f"SL_{_clean(source.lemma_)}",
        f"SD_{_clean(source.dep_)}",
        f"Q_{quoted}",
        f"COMP_{_clean(complement.lemma_) if complement is not None else 'none'}",
        f"OBJ_{_clean(obj.lemma_) if obj is not None else 'none'}",
        f"FIRST_{int(cue.i - sent.start < 3)}",
        *[f"C_{dep}" for dep in deps],
        *[f"PREP_{word}" for word in preps],
        *[f"AUX_{word}" for word in auxes],
        f"{lemma}__SC_{source_class}",
        f"{lemma}__D_{_clean(cue.dep_)}",
        f"{lemma}__COMP_{int(complement is not None)}",
        f"{lemma}__Q_{quoted}",
        *[f"{lemma}__PREP_{word}" for word in preps],
    ]
    return " ".join(features)

