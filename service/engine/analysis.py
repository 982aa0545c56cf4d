"""The public analysis API: text in, the result JSON out."""

from __future__ import annotations

from typing import Iterable, Iterator, Optional

from spacy.tokens import Doc, Span

from .attribution import EXTENSION as ATTRIBUTIONS, Attribution
from .claims import claim_evidence
from .judgement import LABELS, judge
from .offsets import UNITS, offset_converter
from .pipeline import get_nlp, model_version
from .speculation import SPANS_KEY

BATCH_SIZE = 32


def analyze(text: str, offsets: str = "codepoint") -> dict:
    """Analyse one article; offsets in code points (default) or UTF-16 code units."""
    return next(analyze_many([text], offsets=offsets))


def analyze_many(texts: Iterable[str], offsets: str = "codepoint", batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """Analyse many texts with ``nlp.pipe``, yielding results in input order."""
    if offsets not in UNITS:
        raise ValueError(f"offsets must be one of {UNITS}, got {offsets!r}")
    nlp = get_nlp()
    version = model_version()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield result_for(doc, offsets, version)


def _trimmed(sent: Span) -> Optional[Span]:
    tokens = [t for t in sent if not t.is_space]
    if not tokens:
        return None
    return sent.doc[tokens[0].i : tokens[-1].i + 1]


def result_for(doc: Doc, offsets: str, version: str) -> dict:
    """Build the result JSON for an analysed Doc."""
    convert = offset_converter(doc.text, offsets)
    speculation = list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []
    attributions: list[Attribution] = doc._.get(ATTRIBUTIONS) or []
    sentences = []
    for sent in doc.sents:
        span = _trimmed(sent)
        if span is None:
            continue
        inside = lambda s: s is not None and span.start <= s.start and s.end <= span.end  # noqa: E731
        verdict = judge(
            [s for s in speculation if inside(s)],
            [a for a in attributions if inside(a.cue) or (a.cue is None and _anchored(a, span))],
            claim_evidence(span),
        )
        sentences.append(
            {
                **_span_json(span, convert),
                "labels": verdict.labels,
                "claim": verdict.claim,
                "score": verdict.score,
                "explanation": verdict.explanation,
                "cues": [{**_span_json(cue, convert), "kind": kind, "type": cue_type} for cue, kind, cue_type in verdict.cues],
                "source": _source_json(verdict.source, convert),
            }
        )
    summary = {"sentences": len(sentences)}
    summary.update({label: sum(label in s["labels"] for s in sentences) for label in LABELS})
    return {"model": version, "offsets": offsets, "sentences": sentences, "summary": summary}


def _anchored(attribution: Attribution, sentence: Span) -> bool:
    """A cue-less attribution (quote continuation) belongs to the sentence that holds it."""
    return attribution.anchor is not None and sentence.start <= attribution.anchor < sentence.end


def _span_json(span: Span, convert) -> dict:
    return {"start": convert(span.start_char), "end": convert(span.end_char), "text": span.text}


def _source_json(attribution: Optional[Attribution], convert) -> Optional[dict]:
    if attribution is None or attribution.source is None:
        return None
    return {**_span_json(attribution.source, convert), "kind": attribution.kind}
