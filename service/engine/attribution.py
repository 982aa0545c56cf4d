"""Attribution: who says so, and whether that source is named or vague.

Recognised patterns: "according to X", "X said/stated/warned ... (that)",
passives without an agent ("it is believed", "X is said to"), hedging
adverbs ("reportedly"), and quotations that continue the previous
sentence's speaker. The source span is classified ``named`` or ``vague``
from its entities, determiner and head noun (word lists in
``data/attribution.json``).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .resources import load_json

EXTENSION = "sourcewise_attributions"
MODALS_OF_HYPOTHESIS = {"could", "may", "might", "would", "should", "can", "must", "will", "shall"}
OPENING_QUOTES = {'"', "“", "‘", "«", "„"}
MAX_SOURCE_TOKENS = 12


@dataclass(frozen=True)
class Attribution:
    """One attribution relation: the cue words and the source they point to."""

    pattern: str  # according_to | reporting_verb | passive | adverb | continuation
    cue: Span | None
    source: Span | None
    kind: str  # named | vague
    anchor: int | None = None  # token index in the sentence that carries the relation


if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


def _words(name: str) -> frozenset[str]:
    return frozenset(load_json("attribution.json")[name])


class SourceClassifier:
    """Decide whether a source span names someone or points at nobody in particular."""

    def __init__(self) -> None:
        self.vague_heads = _words("vague_heads")
        self.vague_determiners = _words("vague_determiners")
        self.named_heads = _words("named_institution_heads")
        self.pronouns = _words("pronoun_sources")
        self.entity_labels = _words("named_entity_labels")

    def classify(self, source: Span, previous_named: bool) -> str:
        head = source.root
        if any(t.ent_type_ in self.entity_labels and t.ent_type_ != "NORP" for t in source):
            return "named"
        if any(t.pos_ == "PROPN" for t in source):
            return "named"
        lemma = head.lemma_.lower()
        if head.pos_ == "PRON":
            if lemma in self.pronouns or head.lower_ in self.pronouns:
                return "named" if head.lower_ not in {"they", "them"} or previous_named else "vague"
            return "vague"
        determiners = {t.lower_ for t in head.children if t.dep_ in {"det", "predet", "amod", "nummod"}}
        if determiners & self.vague_determiners:
            return "vague"
        if lemma in self.vague_heads:
            return "vague"
        definite = any(t.dep_ in {"det", "poss"} for t in head.children)
        if lemma in self.named_heads and definite:
            return "named"
        return "vague" if head.tag_ in {"NNS", "NNPS"} and not definite else ("named" if definite else "vague")


def _trim_source(token: Token) -> Span:
    """The subject's phrase, cut to its left side when it runs long."""
    left, right = token.left_edge.i, token.right_edge.i + 1
    if right - left > MAX_SOURCE_TOKENS:
        right = token.i + 1
        for child in token.rights:
            if child.dep_ in {"appos", "compound", "flat"} or child.lower_ == "(":
                right = max(right, child.right_edge.i + 1)
    doc = token.doc
    while right > left + 1 and doc[right - 1].is_punct and not (
        doc[right - 1].text == ")" and "(" in doc[left : right - 1].text
    ):
        right -= 1
    while left < right - 1 and doc[left].is_punct:
        left += 1
    return doc[left:right]


class AttributionFinder:
    """Find attribution relations per sentence and store them on ``doc._.sourcewise_attributions``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.reporting_verbs = _words("reporting_verbs")
        self.verbs_needing_complement = _words("verbs_needing_complement")
        self.passive_verbs = _words("passive_verbs")
        self.vague_adverbs = _words("vague_adverbs")
        self.classifier = SourceClassifier()

    def __call__(self, doc: Doc) -> Doc:
        found: list[Attribution] = []
        previous_named = False
        previous: list[Attribution] = []
        for sent in doc.sents:
            here = self._in_sentence(sent, previous_named)
            if not here and previous and _is_quotation(sent):
                origin = previous[0]
                here = [Attribution("continuation", None, origin.source, origin.kind, anchor=sent.start)]
            found.extend(here)
            previous_named = previous_named or any(a.kind == "named" for a in here) or any(
                t.ent_type_ == "PERSON" for t in sent
            )
            previous = here
        doc._.set(EXTENSION, found)
        return doc

    def _in_sentence(self, sent: Span, previous_named: bool) -> list[Attribution]:
        found = []
        doc = sent.doc
        for token in sent:
            lower = token.lower_
            if lower == "according" and token.i + 1 < sent.end and doc[token.i + 1].lower_ == "to":
                objects = [c for c in doc[token.i + 1].children if c.dep_ == "pobj"]
                if objects:
                    source = _trim_source(objects[0])
                    cue = doc[token.i : token.i + 2]
                    found.append(Attribution("according_to", cue, source, self.classifier.classify(source, previous_named)))
            elif lower in self.vague_adverbs:
                found.append(Attribution("adverb", doc[token.i : token.i + 1], None, "vague"))
            elif token.pos_ == "VERB" and token.lemma_.lower() in self.reporting_verbs | self.passive_verbs:
                relation = self._verb_relation(token, previous_named)
                if relation is not None:
                    found.append(relation)
        return found

    def _verb_relation(self, verb: Token, previous_named: bool) -> Attribution | None:
        children = list(verb.children)
        deps = {c.dep_ for c in children}
        if any(c.dep_ == "aux" and c.lower_ in MODALS_OF_HYPOTHESIS for c in children):
            return None
        lemma = verb.lemma_.lower()
        subject = next((c for c in children if c.dep_ == "nsubj"), None)
        if subject is None and verb.tag_ == "VBG" and verb.dep_ in {"advcl", "xcomp", "conj"}:
            # "Cruz took the stage, saying ...": a participle speaks for its governing verb's subject.
            subject = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
        passive_subject = next((c for c in children if c.dep_ == "nsubjpass"), None)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        doc = verb.doc
        if passive_subject is not None and lemma in self.passive_verbs:
            if agent is not None:
                objects = [c for c in agent.children if c.dep_ == "pobj"]
                if objects:
                    source = _trim_source(objects[0])
                    return Attribution("reporting_verb", doc[verb.i : verb.i + 1], source, self.classifier.classify(source, previous_named))
            if passive_subject.lower_ == "it" or deps & {"xcomp", "ccomp"}:
                start = passive_subject.i if passive_subject.lower_ == "it" else min(c.i for c in children if c.dep_.startswith("aux"))
                cue = doc[min(start, verb.i) : verb.i + 1]
                return Attribution("passive", cue, cue, "vague")
            return None
        if subject is None or lemma not in self.reporting_verbs:
            return None
        has_complement = bool(deps & {"ccomp", "xcomp"}) or verb.dep_ in {"parataxis", "ccomp"} and verb.head.i < verb.i
        quoted = any(t.text in OPENING_QUOTES or t.text in {"”", "'"} for t in verb.sent)
        if lemma in self.verbs_needing_complement and not has_complement:
            return None
        if not (has_complement or quoted or lemma in {"say", "tell", "claim", "state", "write", "report", "announce", "warn", "declare", "tweet"}):
            return None
        source = _trim_source(subject)
        return Attribution("reporting_verb", doc[verb.i : verb.i + 1], source, self.classifier.classify(source, previous_named))


def _is_quotation(sent: Span) -> bool:
    first = next((t for t in sent if not t.is_space), None)
    return first is not None and first.text in OPENING_QUOTES


@Language.factory("sourcewise_attribution", default_config={})
def make_attribution_finder(nlp: Language, name: str) -> AttributionFinder:
    """spaCy factory for :class:`AttributionFinder`."""
    return AttributionFinder(nlp, name)
