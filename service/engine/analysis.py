"""The public analysis API: text in, the result JSON out.

Every text is analysed in paragraph-aligned chunks (``chunking``), one Doc each, in order, the state the
labels need carried from chunk to chunk (``context.ArticleState``). :func:`analyze_stream` yields each
chunk's sentences as soon as they are ready; :func:`analyze` and :func:`analyze_many` gather the same
chunks, so a streamed answer and a plain one are the same by construction (#16).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from .attribution import EXTENSION as ATTRIBUTIONS
from .attribution import Attribution
from .chunking import chunk_spans
from .claim_detector import EXTENSION as CLAIMS
from .claims import ClaimEvidence
from .context import EXTENSION as CONTEXT
from .context import ArticleState
from .judgement import LABELS, Verdict, judge
from .nonsentence import classify, explanation
from .offsets import UNITS, offset_converter
from .pipeline import get_nlp, model_version
from .speculation import SPANS_KEY

BATCH_SIZE = 32
# Attributions that make even a clause-less text a judged sentence ("— Maria Lopez", "…, according to police.").
ATTRIBUTING = frozenset({"quote_signature", "according_to"})
# Lone surrogates (possible in JSON strings) cannot be tokenised; each is one code point and one
# UTF-16 unit, as is U+FFFD, so replacing them keeps every offset while reporting the original text.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def analyze(text: str, offsets: str = "codepoint") -> dict:
    """Analyse one article; offsets in code points (default) or UTF-16 code units."""
    return next(analyze_many([text], offsets=offsets))


def analyze_many(
    texts: Iterable[str], offsets: str = "codepoint", batch_size: int = BATCH_SIZE, nlp: Language | None = None
) -> Iterator[dict]:
    """Analyse many texts (the process-wide pipeline unless given), yielding results in input order."""
    _check_unit(offsets)
    nlp = nlp or get_nlp()
    version = model_version()
    # Strings and lexemes the texts add to the vocabulary are freed after each batch, so a worker's
    # memory does not grow with every new word it is sent (#12); results are plain dicts, safe to keep.
    pending = iter(texts)
    while batch := list(islice(pending, batch_size)):
        with nlp.memory_zone():
            results = [gather(analyze_chunks(text, offsets, nlp), version, offsets) for text in batch]
        yield from results


def analyze_stream(text: str, offsets: str = "codepoint", nlp: Language | None = None) -> Iterator[dict]:
    """Analyse one article chunk by chunk: ``{"sentences": [...]}`` for each chunk with sentences (offsets into the
    whole text), then ``{"summary", "model", "offsets"}``. Closing the generator early stops the analysis."""
    _check_unit(offsets)
    nlp = nlp or get_nlp()
    version = model_version()
    chunks: list[Chunk] = []
    with nlp.memory_zone():
        for chunk in analyze_chunks(text, offsets, nlp):
            chunks.append(chunk)
            if chunk.sentences:
                yield {"sentences": chunk.sentences}
    yield {"summary": summarize(chunks), "model": version, "offsets": offsets}


@dataclass(frozen=True)
class Chunk:
    """One chunk's sentence results (offsets into the whole text) and how many of them were judged."""

    sentences: list[dict]
    judged: int


def gather(chunks: Iterable[Chunk], version: str, offsets: str) -> dict:
    """The plain result from a text's chunks."""
    chunks = list(chunks)
    return {"model": version, "offsets": offsets, "sentences": [s for chunk in chunks for s in chunk.sentences], "summary": summarize(chunks)}


def summarize(chunks: list[Chunk]) -> dict:
    """How many sentences were judged, and how many carry each label."""
    summary = {"sentences": sum(chunk.judged for chunk in chunks)}
    summary.update({label: sum(label in s["labels"] for chunk in chunks for s in chunk.sentences) for label in LABELS})
    return summary


def _check_unit(offsets: str) -> None:
    if offsets not in UNITS:
        raise ValueError(f"offsets must be one of {UNITS}, got {offsets!r}")


def analyze_chunks(text: str, offsets: str, nlp: Language) -> Iterator[Chunk]:
    """Each chunk's sentence results, in order (call inside a memory zone: later chunks refer to earlier Docs).

    The chunks go through ``nlp.pipe`` one at a time (``batch_size=1`` keeps the pipe lazy), so the state a chunk
    starts from is complete when its Doc is made."""
    tokenisable = _LONE_SURROGATE.sub("\ufffd", text)
    convert = offset_converter(text, offsets)
    state = ArticleState()

    def docs() -> Iterator[Doc]:
        for number, (start, end) in enumerate(chunk_spans(tokenisable)):
            if state.chunks != number:  # would mean spaCy read ahead: the chunk would start from stale state
                raise RuntimeError("nlp.pipe read a chunk before the one before it was analysed")
            doc = nlp.make_doc(tokenisable[start:end])
            doc._.set(CONTEXT, replace(state, offset=start))
            yield doc

    for doc in nlp.pipe(docs(), batch_size=1):
        chunk, state = chunk_result(doc, convert, text, doc._.get(CONTEXT))
        yield chunk


def _trimmed(sent: Span) -> Span | None:
    """The sentence without surrounding whitespace; None for blank or symbol-only "sentences" (a lone emoji)."""
    tokens = [t for t in sent if not t.is_space]
    if not tokens or not any(char.isalnum() for t in tokens for char in t.text):
        return None
    return sent.doc[tokens[0].i : tokens[-1].i + 1]


def result_for(doc: Doc, offsets: str, version: str, original: str | None = None) -> dict:
    """Build the result JSON for one Doc analysed on its own; ``original`` is the text as submitted."""
    text = doc.text if original is None else original
    chunk, _ = chunk_result(doc, offset_converter(text, offsets), text, ArticleState())
    return gather([chunk], version, offsets)


def chunk_result(doc: Doc, convert, text: str, state: ArticleState) -> tuple[Chunk, ArticleState]:
    """The sentence results of one analysed chunk (``state`` is where it starts: ``state.offset`` in ``text``, the
    article as submitted), and the state the next chunk starts from."""
    as_json = lambda span: _span_json(span, convert, text)  # noqa: E731
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
    sentences = []
    judged = 0
    previous: list[Attribution] = list(state.previous_relations)
    recent = state.recent_texts
    for span, (cues, relations), (claim, evidence) in zip(sentence_spans, by_sentence, claims):
        if span is None:
            continue
        kind = classify(span, any(a.pattern in ATTRIBUTING for a in relations))  # credits, bylines, datelines, interface text, no clause: not judged (#9)
        verdict = Verdict([], False, 0.0, explanation(kind)) if kind else judge(cues, relations, evidence, claim, sentence=span, previous=previous)
        previous = relations
        recent = (*recent[-1:], span.text)
        sentences.append({
            **as_json(span),
            "labels": verdict.labels,
            "claim": verdict.claim,
            "score": verdict.score,
            "explanation": verdict.explanation,
            "cues": [{**as_json(cue), "kind": kind, "type": cue_type} for cue, kind, cue_type in verdict.cues],
            "source": _source_json(verdict.source, as_json),
        })
        judged += kind is None
    return Chunk(sentences, judged), state.after(doc, previous_relations=tuple(previous), recent_texts=recent)


def _span_json(span: Span, convert, text: str) -> dict:
    """A span (of this chunk or, for a speaker carried over, of an earlier one) with offsets into the whole text."""
    offset = carried_offset(span.doc)
    start, end = offset + span.start_char, offset + span.end_char
    return {"start": convert(start), "end": convert(end), "text": text[start:end]}


def carried_offset(doc: Doc) -> int:
    state = doc._.get(CONTEXT)
    return state.offset if state is not None else 0


def _source_json(attribution: Attribution | None, as_json) -> dict | None:
    if attribution is None or attribution.source is None:
        return None
    return {**as_json(attribution.source), "kind": attribution.kind}


def analyze_whole(text: str, offsets: str = "codepoint", nlp: Language | None = None) -> dict:
    """The text as one Doc, not chunked: the reference the chunked analysis is measured against (#16)."""
    _check_unit(offsets)
    nlp = nlp or get_nlp()
    with nlp.memory_zone():
        doc = nlp(_LONE_SURROGATE.sub("\ufffd", text))
        return result_for(doc, offsets, model_version(), text)
