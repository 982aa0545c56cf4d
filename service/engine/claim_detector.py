"""The claim decision per sentence: a trained classifier, with the rule evidence keeping a say.

A sentence is a claim when the claim classifier (trained on ClaimBuster, see ``training/``) gives
it at least ``threshold``, or when it reports in the third person (no "I", "we", "you") and
carries rule evidence (``claims.claim_evidence``: numbers, dates, a named actor doing something).
Debate transcripts taught the classifier to tell checkable claims from rhetoric spoken in the first
and second person; news reports in the third person, where the evidence rule keeps its say
("Ukraine is considering the possibility of …" is nothing like debate talk).
Decisions are stored per sentence, in ``doc.sents`` order, on ``doc._.sourcewise_claims`` as
``(is_claim, evidence)`` pairs.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc, Span

from .claim_features import sentence_features
from .claims import claim_evidence
from .resources import classify, load_classifier, load_json

EXTENSION = "sourcewise_claims"

if not Doc.has_extension(EXTENSION):
    Doc.set_extension(EXTENSION, default=None)


def is_claim(probability: float, has_evidence: bool, personal: bool, threshold: float) -> bool:
    """The decision rule, given the classifier's probability, whether the rules found evidence and
    whether the sentence speaks in the first or second person."""
    return probability >= threshold or (has_evidence and not personal)


def entities_by_sentence(doc: Doc, sentences: list[Span]) -> list[list[Span]]:
    """Each sentence's entities, found in one pass (``Span.ents`` rebuilds every entity of the document per call)."""
    starts = [sent.start for sent in sentences]
    grouped: list[list[Span]] = [[] for _ in sentences]
    for ent in doc.ents:
        number = bisect_right(starts, ent.start) - 1
        if number >= 0 and ent.end <= sentences[number].end:  # NER may cross a sentence boundary
            grouped[number].append(ent)
    return grouped


def _personal(sent: Span, pronouns: frozenset[str]) -> bool:
    return any(t.lower_ in pronouns for t in sent)


class ClaimDetector:
    """Decide, for every sentence, whether it asserts something checkable."""

    def __init__(self, nlp: Language, name: str, *, classifier: str | None, threshold: float) -> None:
        self.name = name
        self.classifier = load_classifier(classifier) if classifier else None
        self.threshold = threshold
        self.pronouns = frozenset(load_json("claims.json")["first_and_second_person"])

    def __call__(self, doc: Doc) -> Doc:
        sentences = list(doc.sents)
        entities = entities_by_sentence(doc, sentences)
        evidence = [claim_evidence(sent, found) for sent, found in zip(sentences, entities)]
        if self.classifier is None:
            decisions = [bool(found) for found in evidence]
        else:
            features = (sentence_features(sent, found, ents) for sent, found, ents in zip(sentences, evidence, entities))
            probabilities = classify(self.classifier, features, "CLAIM")
            decisions = [
                is_claim(p, bool(found), _personal(sent, self.pronouns), self.threshold)
                for p, found, sent in zip(probabilities, evidence, sentences)
            ]
        doc._.set(EXTENSION, list(zip(decisions, evidence)))
        return doc


@Language.factory(
    "sourcewise_claims",
    default_config={"classifier": "models/claim_classifier", "threshold": 0.4},
)
def make_claim_detector(nlp: Language, name: str, classifier: str | None, threshold: float) -> ClaimDetector:
    """spaCy factory for :class:`ClaimDetector`."""
    return ClaimDetector(nlp, name, classifier=classifier, threshold=threshold)
