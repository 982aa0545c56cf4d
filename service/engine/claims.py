"""Factual claims: does a sentence assert something a reader could check?

Evidence is what makes a sentence checkable: numbers, quantities, amounts,
percentages and dates, or a named actor (person, organisation, place) as
the subject of an event verb. Questions, fragments and pure framing carry no
claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span

from .resources import load_json

MEASURE_ENTITIES = {"CARDINAL", "QUANTITY", "PERCENT", "MONEY", "DATE", "TIME"}
ACTOR_ENTITIES = {"PERSON", "ORG", "GPE", "NORP", "FAC", "EVENT", "LAW"}
ACTOR_DEPS = {"nsubj", "nsubjpass", "agent"}
MIN_TOKENS = 4


@dataclass(frozen=True)
class ClaimEvidence:
    """A span that makes a sentence checkable, with the kind of evidence it is."""

    span: Span
    type: str  # number | quantity | percent | money | date | actor | effect


def _entity_type(label: str) -> str:
    return {"CARDINAL": "number", "TIME": "date"}.get(label, label.lower())


def claim_evidence(sent: Span, entities: list[Span] | None = None) -> list[ClaimEvidence]:
    """The spans in a sentence that make it checkable (``entities``: the sentence's entities, if known)."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if len(words) < MIN_TOKENS or sent.text.rstrip().endswith("?"):
        return []
    if not any(t.pos_ in {"VERB", "AUX"} for t in words):
        return []  # headlines, bylines and datelines assert nothing on their own
    evidence = []
    for ent in sent.ents if entities is None else entities:
        if ent.label_ in MEASURE_ENTITIES:
            if ent.label_ == "CARDINAL" and ent.text.lower() in {"one", "1"}:
                continue
            evidence.append(ClaimEvidence(ent, _entity_type(ent.label_)))
        elif ent.label_ in ACTOR_ENTITIES and _acts(ent):
            evidence.append(ClaimEvidence(ent, "actor"))
    effect = _stated_effect(sent)
    if effect is not None:
        evidence.append(ClaimEvidence(effect, "effect"))
    return evidence


def _stated_effect(sent: Span) -> Span | None:
    """A cause and its effect stated as fact: "This runs the server out of memory", "The update deleted the files".

    The main verb is an effect verb (``data/claims.json``) in the present or past, with a subject and an
    object, not under a modal, negation or question."""
    root = sent.root
    if root.lemma_.lower() not in _effect_verbs() or root.tag_ not in {"VBZ", "VBD", "VBP"}:
        return None
    children = list(root.children)
    if any(c.dep_ in {"aux", "neg"} and (c.tag_ == "MD" or c.dep_ == "neg") for c in children):
        return None
    if not any(c.dep_ == "nsubj" and c.lower_ not in {"i", "we", "you"} for c in children) or not any(c.dep_ == "dobj" for c in children):
        return None
    particle = [c for c in children if c.dep_ == "prt"]
    end = max([root.i] + [c.i for c in particle]) + 1
    return sent.doc[root.i : end]


@cache
def _effect_verbs() -> frozenset[str]:
    return frozenset(load_json("claims.json")["effect_verbs"])


def _acts(ent: Span) -> bool:
    """True when a named entity is the subject of a verb that is not a plain copula."""
    root = ent.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head
    if root.dep_ not in ACTOR_DEPS:
        return False
    verb = root.head if root.dep_ != "agent" else root.head.head
    if any(child.dep_ == "aux" and child.tag_ == "MD" for v in (verb, *verb.ancestors) for child in v.children):
        return False  # "Kyiv could demand that Russia withdraw": under a modal nobody has done anything yet
    return verb.pos_ in {"VERB", "AUX"} and not (verb.lemma_ == "be" and verb.dep_ == "ROOT" and verb.pos_ == "AUX")
