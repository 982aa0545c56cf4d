"""The public analysis API: text in, the result JSON out."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import count, islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from .attribution import EXTENSION as ATTRIBUTIONS
from .attribution import Attribution
from .claim_detector import EXTENSION as CLAIMS
from .claims import ClaimEvidence
from .judgement import LABELS, Verdict, exceptions_that_apply, judge, present, reported_act
from .label_features import findings_summary, sentence_features
from .labeller import DEFAULT_SENSITIVITY, SENSITIVITIES, label_scores, labels_at
from .nonsentence import classify, explanation
from .offsets import UNITS, offset_converter
from .pipeline import get_nlp, model_version, warm_vocab
from .speculation import SPANS_KEY

BATCH_SIZE = 32
CONTEXT_SENTENCES = 2  # the labeller reads a sentence with the two before it
# Attributions that make even a clause-less text a judged sentence ("— Maria Lopez", "…, according to police.").
ATTRIBUTING = frozenset({"quote_signature", "according_to"})
# Lone surrogates (possible in JSON strings) cannot be tokenised; each is one code point and one
# UTF-16 unit, as is U+FFFD, so replacing them keeps every offset while reporting the original text.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def analyze(text: str, offsets: str = "codepoint", sensitivity: str = DEFAULT_SENSITIVITY) -> dict:
    """Analyse one article; offsets in code points (default) or UTF-16 code units; labels at a sensitivity."""
    return next(analyze_many([text], offsets=offsets, sensitivity=sensitivity))


_BATCHES_ANALYSED = count()


def analyze_many(
    texts: Iterable[str], offsets: str = "codepoint", batch_size: int = BATCH_SIZE, nlp: Language | None = None,
    sensitivity: str = DEFAULT_SENSITIVITY,
) -> Iterator[dict]:
    """Analyse many texts with ``nlp.pipe`` (the process-wide pipeline unless given), yielding results in input order."""
    if offsets not in UNITS:
        raise ValueError(f"offsets must be one of {UNITS}, got {offsets!r}")
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"sensitivity must be one of {SENSITIVITIES}, got {sensitivity!r}")
    nlp = nlp or get_nlp()
    version = model_version()
    originals: deque[str] = deque()

    def tokenisable(items: Iterable[str]) -> Iterator[str]:
        for text in items:
            originals.append(text)
            yield _LONE_SURROGATE.sub("\ufffd", text)

    # Strings and lexemes the texts add to the vocabulary are freed after each batch, so a worker's
    # memory does not grow with every new word it is sent (#12); results are plain dicts, safe to keep.
    pending = iter(texts)
    while batch := list(islice(pending, batch_size)):
        if next(_BATCHES_ANALYSED):
            warm_vocab()  # from this process's second batch on (outside any zone; a no-op after the first time)
        with nlp.memory_zone():
            results = [result_for(doc, offsets, version, originals.popleft(), sensitivity) for doc in nlp.pipe(tokenisable(batch), batch_size=batch_size)]
        yield from results


def _trimmed(sent: Span) -> Span | None:
    """The sentence without surrounding whitespace; None for blank or symbol-only "sentences" (a lone emoji)."""
    tokens = [t for t in sent if not t.is_space]
    if not tokens or not any(char.isalnum() for t in tokens for char in t.text):
        return None
    return sent.doc[tokens[0].i : tokens[-1].i + 1]


@dataclass
class SentenceFindings:
    """What the finders found in one sentence, before the labels are decided."""

    span: Span
    kind: str | None  # a non-sentence kind (credit, byline, …): not judged
    cues: list[Span]
    relations: list[Attribution]
    evidence: list[ClaimEvidence]
    claim: bool
    rule: Verdict | None  # the finders' own verdict (a feature of the labeller, and its cues and source)
    features: list[float] | None


def sentence_findings(doc: Doc) -> list[SentenceFindings]:
    """Every non-blank sentence of an analysed Doc with its cues, attributions, claim evidence and features."""
    speculation = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
    attributions: list[Attribution] = doc._.get(ATTRIBUTIONS) or []
    sentence_spans = [_trimmed(sent) for sent in doc.sents]
    claims: list[tuple[bool, list[ClaimEvidence]]] = doc._.get(CLAIMS) or [(False, [])] * len(sentence_spans)
    sentence_of = [0] * len(doc)
    for number, sent in enumerate(doc.sents):
        sentence_of[sent.start : sent.end] = [number] * (sent.end - sent.start)
    by_sentence: list[tuple[list, list]] = [([], []) for _ in sentence_spans]
    for cue in speculation:
        by_sentence[sentence_of[cue.start]][0].append(cue)
    for attribution in attributions:
        anchor = attribution.cue.start if attribution.cue is not None else attribution.anchor
        if anchor is not None:
            by_sentence[sentence_of[anchor]][1].append(attribution)
    found: list[SentenceFindings] = []
    previous: list[Attribution] = []
    previous_labels: list[str] = []
    previous_found = (False, False, False, False)
    for span, (cues, relations), (claim, evidence) in zip(sentence_spans, by_sentence, claims):
        if span is None:
            continue
        kind = classify(span, any(a.pattern in ATTRIBUTING for a in relations))  # credits, bylines, datelines, interface text, no clause: not judged (#9)
        rule = features = None
        if kind is None:
            rule = judge(cues, relations, evidence, claim, sentence=span, previous=previous)
            act = any(a.kind == "named" for a in relations) and all(reported_act(a) for a in relations)  # as ``judge`` has it
            exceptions = exceptions_that_apply(span, cues, evidence, previous)
            features = sentence_features(span, cues, relations, evidence, claim, rule.labels, previous_labels, act, previous_found, exceptions)
            previous_labels = rule.labels
            previous_found = findings_summary(cues, relations, claim)
        previous = relations
        found.append(SentenceFindings(span, kind, cues, relations, evidence, claim, rule, features))
    return found


def label_contexts(findings: list[SentenceFindings], before: tuple[str, ...] = ()) -> list[str]:
    """The labeller's context for each sentence: the two sentences before it (``before``: the article's earlier ones)."""
    texts = [*before, *(" ".join(f.span.text.split()) for f in findings)]
    offset = len(before)
    return [" ".join(texts[max(0, offset + i - CONTEXT_SENTENCES) : offset + i]) for i in range(len(findings))]


def result_for(doc: Doc, offsets: str, version: str, original: str | None = None, sensitivity: str = DEFAULT_SENSITIVITY) -> dict:
    """Build the result JSON for an analysed Doc; ``original`` is the text as submitted."""
    text = doc.text if original is None else original
    convert = offset_converter(text, offsets)
    as_json = lambda span: _span_json(span, convert, text)  # noqa: E731
    findings = sentence_findings(doc)
    contexts = label_contexts(findings)
    judged = [i for i, f in enumerate(findings) if f.kind is None]
    scored = label_scores([" ".join(findings[i].span.text.split()) for i in judged], [contexts[i] for i in judged],
                          [findings[i].features for i in judged])
    scores_of = dict(zip(judged, scored))
    sentences = []
    for number, found in enumerate(findings):
        if found.kind is not None:
            verdict = Verdict([], False, 0.0, explanation(found.kind))
            scores = dict.fromkeys(LABELS, 0.0)
        else:
            scores = scores_of[number]
            verdict = present(labels_at(scores, sensitivity), found.cues, found.relations, found.evidence, found.claim, scores)
        sentences.append(
            {
                **as_json(found.span),
                "labels": verdict.labels,
                "scores": {label: round(scores[label], 3) for label in LABELS},
                "claim": verdict.claim,
                "score": verdict.score,
                "explanation": verdict.explanation,
                "cues": [{**as_json(cue), "kind": kind, "type": cue_type} for cue, kind, cue_type in verdict.cues],
                "source": _source_json(verdict.source, as_json),
            }
        )
    summary = {"sentences": len(judged)}
    summary.update({label: sum(label in s["labels"] for s in sentences) for label in LABELS})
    return {"model": version, "offsets": offsets, "sensitivity": sensitivity, "sentences": sentences, "summary": summary}


def _span_json(span: Span, convert, text: str) -> dict:
    return {"start": convert(span.start_char), "end": convert(span.end_char), "text": text[span.start_char : span.end_char]}


def _source_json(attribution: Attribution | None, as_json) -> dict | None:
    """The source phrase; ``refers_to``: for a pronoun ("he"), the name it stands for ("Mr Obama"), else null (#17)."""
    if attribution is None or attribution.source is None:
        return None
    refers_to = " ".join(attribution.refers_to.text.split()) if attribution.refers_to is not None else None
    return {**as_json(attribution.source), "kind": attribution.kind, "refers_to": refers_to}
