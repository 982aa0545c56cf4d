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
from itertools import count, islice

from spacy.language import Language
from spacy.tokens import Doc, Span

from .attribution import EXTENSION as ATTRIBUTIONS
from .attribution import Attribution
from .chunking import chunk_spans, inner_cuts
from .claim_detector import EXTENSION as CLAIMS
from .claims import ClaimEvidence
from .context import EMPTY, ArticleState
from .context import EXTENSION as CONTEXT
from .judgement import LABELS, Verdict, exceptions_that_apply, judge, present, reported_act
from .label_features import findings_summary, sentence_features
from .labeller import DEFAULT_SENSITIVITY, SENSITIVITIES, label_scores, labels_at, load_combiner
from .nonsentence import classify, explanation
from .offsets import UNITS, offset_converter
from .pipeline import get_nlp, model_version, warm_vocab
from .segmentation import CUTS_EXTENSION
from .speculation import SPANS_KEY

BATCH_SIZE = 32
# Characters of the text on either side of a chunk that the spaCy model reads with it: far more than its window
# (four tokens each side for tok2vec, a few for the parser's and the entity recogniser's look-ahead).
MARGIN_CHARS = 200
JUDGING = frozenset({"sourcewise_speculation", "sourcewise_attribution", "sourcewise_claims"})
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
    """Analyse many texts (the process-wide pipeline unless given), yielding results in input order."""
    _check(offsets, sensitivity)
    nlp = nlp or get_nlp()
    version = model_version()
    # Strings and lexemes the texts add to the vocabulary are freed after each batch, so a worker's
    # memory does not grow with every new word it is sent (#12); results are plain dicts, safe to keep.
    pending = iter(texts)
    while batch := list(islice(pending, batch_size)):
        if next(_BATCHES_ANALYSED):
            warm_vocab()  # from this process's second batch on (outside any zone; a no-op after the first time)
        with nlp.memory_zone():
            results = [gather(analyze_chunks(text, offsets, nlp, sensitivity), version, offsets, sensitivity) for text in batch]
        yield from results


def analyze_stream(text: str, offsets: str = "codepoint", nlp: Language | None = None, sensitivity: str = DEFAULT_SENSITIVITY) -> Iterator[dict]:
    """Analyse one article chunk by chunk: ``{"sentences": [...]}`` for each chunk with sentences (offsets into the
    whole text), then ``{"summary", "model", "offsets", "sensitivity"}``. Closing the generator early stops the analysis."""
    _check(offsets, sensitivity)
    nlp = nlp or get_nlp()
    version = model_version()
    chunks: list[Chunk] = []
    with nlp.memory_zone():
        for chunk in analyze_chunks(text, offsets, nlp, sensitivity):
            chunks.append(chunk)
            if chunk.sentences:
                yield {"sentences": chunk.sentences}
    yield {"summary": summarize(chunks), "model": version, "offsets": offsets, "sensitivity": sensitivity}


@dataclass(frozen=True)
class Chunk:
    """One chunk's sentence results (offsets into the whole text) and how many of them were judged."""

    sentences: list[dict]
    judged: int


def gather(chunks: Iterable[Chunk], version: str, offsets: str, sensitivity: str) -> dict:
    """The plain result from a text's chunks."""
    chunks = list(chunks)
    return {"model": version, "offsets": offsets, "sensitivity": sensitivity,
            "sentences": [s for chunk in chunks for s in chunk.sentences], "summary": summarize(chunks)}


def summarize(chunks: list[Chunk]) -> dict:
    """How many sentences were judged, and how many carry each label."""
    summary = {"sentences": sum(chunk.judged for chunk in chunks)}
    summary.update({label: sum(label in s["labels"] for chunk in chunks for s in chunk.sentences) for label in LABELS})
    return summary


def _check(offsets: str, sensitivity: str) -> None:
    if offsets not in UNITS:
        raise ValueError(f"offsets must be one of {UNITS}, got {offsets!r}")
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"sensitivity must be one of {SENSITIVITIES}, got {sensitivity!r}")


def analyze_chunks(text: str, offsets: str, nlp: Language, sensitivity: str = DEFAULT_SENSITIVITY) -> Iterator[Chunk]:
    """Each chunk's sentence results, in order (call inside a memory zone: later chunks refer to earlier Docs).

    Each chunk is read (tokenizer, tagger, parser, entities: :func:`read_chunk`) with ``MARGIN_CHARS`` of the text
    on either side, so what the statistical models see around its first and last words is what they see in the
    whole text; the Sourcewise components then run on the chunk alone, from the state the chunks before it left."""
    tokenisable = _LONE_SURROGATE.sub("\ufffd", text)
    convert = offset_converter(text, offsets)
    reading, judging = split_pipeline(nlp)
    cuts = inner_cuts(tokenisable)
    state = EMPTY
    for start, end in chunk_spans(tokenisable):
        doc = read_chunk(nlp, reading, tokenisable, start, end, cuts)
        doc._.set(CONTEXT, replace(state, offset=start))
        for _, component in judging:
            doc = component(doc)
        chunk, state = chunk_result(doc, convert, text, doc._.get(CONTEXT), sensitivity)
        yield chunk


def split_pipeline(nlp: Language) -> tuple[list, list]:
    """The pipeline's (name, component) pairs in two parts: the spaCy model's reading of a text, and Sourcewise's own
    components (with their deadline checks), which read what the first part found and the article state."""
    pipeline = list(nlp.pipeline)
    ours = next((i for i, (name, _) in enumerate(pipeline) if name in JUDGING or name.removeprefix("sourcewise_deadline_") in JUDGING), len(pipeline))
    return pipeline[:ours], pipeline[ours:]


def read_chunk(nlp: Language, reading: list, text: str, start: int, end: int, cuts: list[int] = ()) -> Doc:
    """``text[start:end]`` as a Doc with the spaCy model's annotations, made on a window with ``MARGIN_CHARS`` on each
    side and cut to the chunk (``Span.as_doc``); the chunk alone when its edges fall inside a token of the window.
    ``cuts``: where ``chunking`` cuts the whole text's long blocks (``segmentation`` starts sentences there)."""
    before, after = max(0, start - MARGIN_CHARS), min(len(text), end + MARGIN_CHARS)
    window = nlp.make_doc(text[before:after])
    first = next((t.i for t in window if t.idx >= start - before), len(window))
    last = next((t.i for t in window if t.idx >= end - before), len(window))
    if first == len(window) or window[first].idx != start - before or (last < len(window) and window[last].idx != end - before):
        window, first, last, before, after = nlp.make_doc(text[start:end]), 0, None, start, end
    window._.set(CUTS_EXTENSION, [at - before for at in cuts if before < at < after])
    for _, component in reading:
        window = component(window)
    return window[first:last].as_doc() if (first, last) != (0, None) else window


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
    rule: Verdict | None  # the hand-written rules' verdict, when asked for (``sentence_findings``'s ``rules``)
    features: list[float] | None


def sentence_findings(doc: Doc, state: ArticleState = EMPTY, rules: bool | None = None) -> list[SentenceFindings]:
    """Every non-blank sentence of an analysed Doc with its cues, attributions, claim evidence and features;
    ``state``: what the chunks before this one left (the sentence before, its relations and labels).

    ``rules``: also run the hand-written label rules (``judge`` and the exception checks) for their features;
    by default only when the shipped combiner weighs them (``training/fit_combiner.py`` asks for them to test
    whether they still add anything). Left out, their features are 0 and ``rule`` is None."""
    if rules is None:
        rules = load_combiner().uses_rules
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
    previous: list[Attribution] = list(state.previous_relations)
    previous_labels: list[str] = list(state.previous_rule_labels)
    previous_found = state.previous_findings
    for span, (cues, relations), (claim, evidence) in zip(sentence_spans, by_sentence, claims):
        if span is None:
            continue
        kind = classify(span, any(a.pattern in ATTRIBUTING for a in relations))  # credits, bylines, datelines, interface text, no clause: not judged (#9)
        rule = features = None
        if kind is None:
            act = any(a.kind == "named" for a in relations) and all(reported_act(a) for a in relations)  # as ``judge`` has it
            rule = judge(cues, relations, evidence, claim, sentence=span, previous=previous) if rules else None
            exceptions = exceptions_that_apply(span, cues, evidence, previous) if rules else ()
            rule_labels = rule.labels if rule is not None else []
            features = sentence_features(span, cues, relations, evidence, claim, rule_labels, previous_labels, act, previous_found, exceptions)
            previous_labels = rule_labels
            previous_found = findings_summary(cues, relations, claim)
        previous = relations
        found.append(SentenceFindings(span, kind, cues, relations, evidence, claim, rule, features))
    return found


def state_after(doc: Doc, state: ArticleState, findings: list[SentenceFindings]) -> ArticleState:
    """The state the chunk after ``doc`` starts from: the attribution finder's leftovers and the labels' context."""
    judged = [f for f in findings if f.kind is None]
    changes: dict = {}
    if findings:
        changes["previous_relations"] = tuple(findings[-1].relations)
        changes["recent_texts"] = tuple([*state.recent_texts, *(_flat(f.span) for f in findings)][-CONTEXT_SENTENCES:])
    if judged:
        last = judged[-1]
        changes["previous_rule_labels"] = tuple(last.rule.labels) if last.rule is not None else ()
        changes["previous_findings"] = findings_summary(last.cues, last.relations, last.claim)
    return state.after(doc, **changes)


def _flat(span: Span) -> str:
    return " ".join(span.text.split())


def label_contexts(findings: list[SentenceFindings], before: tuple[str, ...] = ()) -> list[str]:
    """The labeller's context for each sentence: the two sentences before it (``before``: the article's earlier ones)."""
    texts = [*before, *(_flat(f.span) for f in findings)]
    offset = len(before)
    return [" ".join(texts[max(0, offset + i - CONTEXT_SENTENCES) : offset + i]) for i in range(len(findings))]


def result_for(doc: Doc, offsets: str, version: str, original: str | None = None, sensitivity: str = DEFAULT_SENSITIVITY) -> dict:
    """Build the result JSON for one Doc analysed on its own; ``original`` is the text as submitted."""
    text = doc.text if original is None else original
    chunk, _ = chunk_result(doc, offset_converter(text, offsets), text, EMPTY, sensitivity)
    return gather([chunk], version, offsets, sensitivity)


def chunk_result(doc: Doc, convert, text: str, state: ArticleState, sensitivity: str = DEFAULT_SENSITIVITY) -> tuple[Chunk, ArticleState]:
    """The sentence results of one analysed chunk (``state`` is where it starts: ``state.offset`` in ``text``, the
    article as submitted), and the state the next chunk starts from."""
    as_json = lambda span: _span_json(span, convert, text)  # noqa: E731
    findings = sentence_findings(doc, state)
    contexts = label_contexts(findings, before=state.recent_texts)
    judged = [i for i, f in enumerate(findings) if f.kind is None]
    scored = label_scores([_flat(findings[i].span) for i in judged], [contexts[i] for i in judged], [findings[i].features for i in judged])
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
    return Chunk(sentences, len(judged)), state_after(doc, state, findings)


def _span_json(span: Span, convert, text: str) -> dict:
    """A span (of this chunk or, for a speaker carried over, of an earlier one) with offsets into the whole text."""
    offset = carried_offset(span.doc)
    start, end = offset + span.start_char, offset + span.end_char
    return {"start": convert(start), "end": convert(end), "text": text[start:end]}


def carried_offset(doc: Doc) -> int:
    """Where this Doc's chunk starts in the article (0 for a Doc analysed on its own)."""
    state = doc._.get(CONTEXT)
    return state.offset if state is not None else 0


def _source_json(attribution: Attribution | None, as_json) -> dict | None:
    """The source phrase; ``refers_to``: for a pronoun ("he"), the name it stands for ("Mr Obama"), else null (#17)."""
    if attribution is None or attribution.source is None:
        return None
    refers_to = " ".join(attribution.refers_to.text.split()) if attribution.refers_to is not None else None
    return {**as_json(attribution.source), "kind": attribution.kind, "refers_to": refers_to}


def analyze_whole(text: str, offsets: str = "codepoint", nlp: Language | None = None, sensitivity: str = DEFAULT_SENSITIVITY) -> dict:
    """The text as one Doc, not chunked: the reference the chunked analysis is measured against (#16)."""
    _check(offsets, sensitivity)
    nlp = nlp or get_nlp()
    with nlp.memory_zone():
        doc = nlp(_LONE_SURROGATE.sub("\ufffd", text))
        return result_for(doc, offsets, model_version(), text, sensitivity)
