"""Per-sentence verdict: labels, doubt score and a one-line explanation."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from .attribution import Attribution, inside_quotes
from .claims import ClaimEvidence
from .context import lemma_before, sentence_before
from .resources import load_json

LABELS = ("speculative", "vague_source", "unsourced", "sourced")
SPECULATION_WEIGHT = {"epistemic": 0.6, "doxastic": 0.5, "investigation": 0.55, "condition": 0.5, "prediction": 0.55, "question": 0.4}
VAGUE_WEIGHT = 0.5
UNSOURCED_WEIGHT = 0.35
NAMED_SOURCE_DISCOUNT = 0.6


@dataclass
class Verdict:
    """What Sourcewise concludes about one sentence."""

    labels: list[str]
    claim: bool
    score: float
    explanation: str
    source: Attribution | None = None
    cues: list[tuple[Span, str, str]] = field(default_factory=list)  # (span, kind, type)


def judge(
    speculation: list[Span],
    attributions: list[Attribution],
    evidence: list[ClaimEvidence],
    claim: bool,
    sentence: Span | None = None,
    previous: list[Attribution] | None = None,
) -> Verdict:
    """Combine a sentence's cues, attributions, claim evidence and claim decision (``claim_detector``) into a verdict.

    ``sentence`` and the ``previous`` sentence's attributions let the reader's exceptions apply: the author's own
    experience, a framing line and a claim whose source the sentence before names are not unsourced."""
    named = [a for a in attributions if a.kind == "named"]
    vague = [a for a in attributions if a.kind == "vague"]
    act = bool(named) and all(reported_act(a) for a in attributions)
    if act:  # "Lawyers filed papers opposing the unsealing": an actor's deed, neither a source for it nor a claim
        named = []
    labels = []
    if speculation:
        labels.append("speculative")
    if vague:
        labels.append("vague_source")
    if claim and not attributions and not act and not (
        sentence is not None and (
            not_unsourced(sentence, previous or []) or speculation_only(sentence, speculation, evidence) or characterisation(sentence, evidence)
            or prescription(sentence) or narrative_link(sentence, evidence) or generic_statement(sentence, evidence)
        )
    ):
        labels.append("unsourced")
    if named:
        labels.append("sourced")
    rank = lambda a: (_nested(a, attributions), *_speaker_rank(a))  # noqa: E731
    named, vague = sorted(named, key=rank), sorted(vague, key=rank)
    source = named[0] if named else (vague[0] if vague else None)
    if act:
        source = attributions[0]  # still the sentence's actor, as attribution corpora (PolNeAR) count it
    if named and vague and rank(named[0]) > rank(vague[0]):
        source = vague[0]  # "Police say he refused": the sentence is the police's, even if "he" is named
    cues = [(span, "speculation", span.label_) for span in speculation]
    cues += [(a.cue, "attribution", a.pattern) for a in attributions if a.cue is not None]
    if "unsourced" in labels:
        cues += [(e.span, "claim", e.type) for e in _shown_evidence(evidence)]
    return Verdict(
        labels=labels,
        claim=claim,
        score=_score(speculation, vague, named, "unsourced" in labels),
        explanation=_explain(speculation, vague, named, _shown_evidence(evidence) if "unsourced" in labels else [], "unsourced" in labels,
                             actor=source if act else None),
        source=source,
        cues=_without_overlaps(cues),
    )


def present(
    labels: list[str],
    speculation: list[Span],
    attributions: list[Attribution],
    evidence: list[ClaimEvidence],
    claim: bool,
    scores: dict[str, float],
) -> Verdict:
    """The verdict a reader sees for labels the labeller decided: the cues, source and explanation behind each label.

    A finding is shown only for a label it supports (a speculation cue for ``speculative``, an unnamed source for
    ``vague_source``, a named one for ``sourced``, claim evidence for ``unsourced``); a label with no finding
    behind it says so plainly instead of naming a wrong cue."""
    speculative, vague_label, unsourced, sourced = ("speculative" in labels, "vague_source" in labels, "unsourced" in labels, "sourced" in labels)
    rank = lambda a: (_nested(a, attributions), *_speaker_rank(a))  # noqa: E731
    named = sorted((a for a in attributions if a.kind == "named"), key=rank) if sourced else []
    vague = sorted((a for a in attributions if a.kind == "vague"), key=rank) if vague_label else []
    shown_speculation = speculation if speculative else []
    shown_evidence = _shown_evidence(evidence) if unsourced else []
    source = named[0] if named else (vague[0] if vague else None)
    if named and vague and rank(named[0]) > rank(vague[0]):
        source = vague[0]  # "Police say he refused": the sentence is the police's, even if "he" is named
    cues = [(span, "speculation", span.label_) for span in shown_speculation]
    cues += [(a.cue, "attribution", a.pattern) for a in [*named, *vague] if a.cue is not None]
    cues += [(e.span, "claim", e.type) for e in shown_evidence]
    phrases = load_json("explanations.json")["unfound"]
    parts = [_explain(shown_speculation, vague, named, shown_evidence, unsourced and bool(shown_evidence))[:-1]] if (
        shown_speculation or vague or named or shown_evidence) else []
    parts += [phrases[label] for label, shown in (("speculative", shown_speculation), ("vague_source", vague), ("sourced", named))
              if label in labels and not shown]
    if unsourced and not shown_evidence:
        parts.append(phrases["unsourced"])
    if not parts:
        parts.append(load_json("explanations.json")["plain"].rstrip("."))
    text = "; ".join(parts)
    text = text[0].upper() + text[1:]
    doubt = max((scores[label] for label in ("speculative", "vague_source", "unsourced") if label in labels), default=0.0)
    return Verdict(labels=labels, claim=claim, score=round(doubt, 2), explanation=text + ".", source=source, cues=_without_overlaps(cues))


FIRST_AND_SECOND_PERSON = {"i", "we", "you", "me", "us"}
AUTHOR_POSSESSIVES = {"my", "our"}
CONTEXT_SUBJECTS = {"report", "study", "survey", "poll", "analysis", "review", "document", "letter", "statement", "paper", "audit"}
SPEAKING_PATTERNS = {"according_to", "reporting_verb", "quote_signature", "continuation", "headline_colon"}


ACT_CONFIDENCE = 0.5  # below this, a relation only the classifier found reads as a deed, not a source (#9)


def exceptions_that_apply(sentence: Span, speculation: list[Span], evidence: list[ClaimEvidence], previous: list[Attribution]) -> list[str]:
    """Which of the reader guide's hand-written exceptions to `unsourced` the sentence meets (features of the labeller)."""
    checks = {
        "not_unsourced": lambda: not_unsourced(sentence, previous),
        "speculation_only": lambda: speculation_only(sentence, speculation, evidence),
        "characterisation": lambda: characterisation(sentence, evidence),
        "prescription": lambda: prescription(sentence),
        "narrative_link": lambda: narrative_link(sentence, evidence),
        "generic_statement": lambda: generic_statement(sentence, evidence),
    }
    return [name for name, check in checks.items() if check()]


def reported_act(attribution: Attribution) -> bool:
    """A relation only the PolNeAR-trained classifier found, and not confidently: mostly someone named doing something
    ("lawyers filed papers", "Zuckerberg knows a thing or two"), which attribution corpora count and readers do not."""
    return attribution.confidence is not None and attribution.confidence < ACT_CONFIDENCE


def not_unsourced(sentence: Span, previous: list[Attribution]) -> bool:
    """The reader guide's exceptions to `unsourced` for a claim with no attribution of its own."""
    return author_voice(sentence) or framing_line(sentence) or introduced_document(sentence) or (
        continues_subject(sentence) and sourced_by_context(previous))


def speculation_only(sentence: Span, speculation: list[Span], evidence: list[ClaimEvidence] | None = None) -> bool:
    """The main clause itself is hedged, believed or conditional ("The merger could cost 3,000 jobs", "he would have
    done so by now"): pure speculation, no factual claim to source. So is a forecast with no date ("Other polls will
    begin to measure the effect"); an announced event ("will be debated this week") still is a claim."""
    root = sentence.root
    hedged = {root.i} | {c.i for c in root.children if c.dep_ in {"aux", "auxpass"}}
    dated = any(e.type == "date" for e in evidence or [])

    def forecast(span: Span) -> bool:  # "will begin", "would crush"; not "plans to release", a plan that exists
        return not dated and span.label_ == "prediction" and any(t.lower_ in FORECAST_MODALS for t in span)

    return any((span.label_ in {"epistemic", "condition", "doxastic"} or forecast(span)) and any(t.i in hedged for t in span)
               for span in speculation)


FORECAST_MODALS = {"will", "would", "shall", "'ll", "’ll", "wo"}
PRESCRIBING_VERBS = {"need", "ought", "have"}
PRESCRIBING_MODALS = {"must", "should", "ought"}


def prescription(sentence: Span) -> bool:
    """The main clause says what someone ought to do ("The VA needs to move faster", "Congress must act"): the
    writer's recommendation, an opinion rather than a fact to check."""
    root = sentence.root
    if any(c.dep_ == "aux" and c.lower_ in PRESCRIBING_MODALS for c in root.children):
        return True
    to_verb = any(c.dep_ == "xcomp" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children) for c in root.children)
    if root.lemma_.lower() == "need" and root.pos_ == "VERB" and any(c.dep_ == "dobj" for c in root.children):
        return True  # "Clinton didn't need an earthshaking event": what someone needs (or needed) is the writer's judgement (#9)
    return root.lemma_.lower() in PRESCRIBING_VERBS and to_verb and root.tag_ in {"VBZ", "VBP", "VB"}


ANAPHORIC_OBJECTS = {"one", "it", "this", "that", "these", "those", "them", "so"}
DEMONSTRATIVES = {"this", "that", "these", "those"}
INTERVIEW_VERBS = {"speak", "talk"}


def narrative_link(sentence: Span, evidence: list[ClaimEvidence]) -> bool:
    """A named actor's deed whose content lies elsewhere: its object points back ("Clinton has come up with one",
    "Trump has put these matters in play"), or it sets the scene of an interview ("Obama was speaking to the BBC
    at the White House"). With nothing measurable in it, a reader has nothing here to check (#9)."""
    if not evidence or any(e.type != "actor" for e in evidence):
        return False  # a named actor and nothing measurable; not "Unemployment has doubled under this administration"
    root = sentence.root
    thing = _first_object(root)
    if thing is not None and (thing.lower_ in ANAPHORIC_OBJECTS or any(d.dep_ == "det" and d.lower_ in DEMONSTRATIVES for d in thing.children)):
        return True
    return root.lemma_.lower() in INTERVIEW_VERBS and not any(c.dep_ in {"ccomp", "dobj"} for c in root.children)


def generic_statement(sentence: Span, evidence: list[ClaimEvidence]) -> bool:
    """ "Regulations were created because they serve a social purpose", "government borrowing expanded during
    recessions": a claim about a kind of thing in general (a bare common-noun subject, no figure, date or name in the
    sentence), which readers take as common knowledge or the writer's framing, not something to source (#9)."""
    if evidence:
        return False
    subject = next((c for c in sentence.root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return (
        subject is not None
        and subject.pos_ == "NOUN"
        and not subject.ent_type_
        and not any(c.dep_ in {"det", "poss", "nummod", "prep", "relcl", "acl", "appos"} for c in subject.children)
        and not any(c.pos_ == "PROPN" or c.ent_type_ for c in subject.children)
    )


def _first_object(verb: Token) -> Token | None:
    """The verb's direct object, or else the object of its first preposition ("come up with *one*")."""
    direct = next((c for c in verb.children if c.dep_ in {"dobj", "attr"}), None)
    return direct or next((g for c in verb.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"), None)


def characterisation(sentence: Span, evidence: list[ClaimEvidence]) -> bool:
    """ "She is a planner, a detail-oriented leader": a description or judgement with a copula and nothing measurable
    in it, which a reader takes as the writer's characterisation, not a fact to source."""
    root = sentence.root
    return (
        root.lemma_ == "be"
        and any(c.dep_ in {"attr", "acomp"} for c in root.children)
        and not any(e.type not in {"actor"} for e in evidence)
    )


def author_voice(sentence: Span, follows_writer: bool = False) -> bool:
    """The writer's own experience or opinion: "I have used email since 1991", "My father bought a farm".
    A bare "we" stays checkable ("We have lost 70,000 jobs" speaks for a country), unless the sentence before
    was the writer's own ("I met Ana in Porto. We got married there")."""
    root = sentence.root
    subjects = [c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} and not inside_quotes(c)]
    if any(s.lower_ == "i" or any(c.dep_ == "poss" and c.lower_ in AUTHOR_POSSESSIVES for c in s.children) for s in subjects):
        return True
    before = None if follows_writer else sentence_before(sentence)
    if before is None:
        return False
    if any(s.lower_ == "we" for s in subjects):  # "My wife and I arrived as teens. … We got married here"
        return author_voice(before, follows_writer=True) or _writer_mentioned(before)
    if any(s.lower_ in {"he", "she", "they"} for s in subjects):  # "My father bought a farm. He also bought 60 acres"
        return any(any(c.dep_ == "poss" and c.lower_ in AUTHOR_POSSESSIVES for c in s.children)
                   for s in before.root.children if s.dep_ in {"nsubj", "nsubjpass"} and not inside_quotes(s))
    return False


def _writer_mentioned(sentence: Span) -> bool:
    """ "She came from the Middle East and I from South America": the writer is one of the sentence's subjects."""
    return any(t.lower_ == "i" and t.dep_ in {"nsubj", "nsubjpass", "conj"} and not inside_quotes(t) for t in sentence)


def introduced_document(sentence: Span) -> bool:
    """ "The survey was conducted September 16-19": a definite "the survey", "the report" the article has already
    introduced (a poll, survey or report named earlier in the text) is the document speaking for the sentence."""
    doc = sentence.doc
    for subject in (c for c in sentence.root.children if c.dep_ in {"nsubj", "nsubjpass"}):
        lemma = subject.lemma_.lower()
        if lemma in CONTEXT_SUBJECTS and any(c.lower_ in {"the", "this", "that"} for c in subject.children):
            if lemma_before(doc, sentence.start, CONTEXT_SUBJECTS):
                return True
    return False


def continues_subject(sentence: Span) -> bool:
    """The sentence goes on about what the one before reported: its subject is a pronoun or "the report", "the study"."""
    subjects = [c for c in sentence.root.children if c.dep_ in {"nsubj", "nsubjpass"}]
    return any(s.lower_ in {"it", "they", "this", "these"} or s.lemma_.lower() in CONTEXT_SUBJECTS and any(
        c.lower_ in {"the", "this", "that"} for c in s.children) for s in subjects)


def framing_line(sentence: Span) -> bool:
    """A line that announces what follows ("The results were as follows:") asserts nothing itself."""
    return sentence.text.rstrip().endswith(":")


def sourced_by_context(previous: list[Attribution]) -> bool:
    """The sentence before names who speaks ("…, a report by the university's centre says. It found …")."""
    return any(a.pattern in SPEAKING_PATTERNS and a.kind == "named" for a in previous)


def _nested(attribution: Attribution, others: list[Attribution]) -> bool:
    """Whether the attribution sits inside the content another one reports ("Police say *he refused*")."""
    if attribution.cue is None:
        return False
    above = {t.i for t in attribution.cue.root.ancestors}  # "in another's subtree" is "under another's root", O(depth) once
    return any(other.cue is not None and other is not attribution and other.cue.root.i in above for other in others)


def _speaker_rank(attribution: Attribution) -> tuple[bool, bool]:
    """Who speaks for the sentence: a source outside quotation marks before one inside them
    ("'I think …,' Matthews said" is Matthews's), and a third person before "I" or "we"."""
    source = attribution.source
    if source is None:
        return (True, True)
    return (inside_quotes(source[0]), source.root.lower_ in FIRST_AND_SECOND_PERSON)


def _shown_evidence(evidence: list[ClaimEvidence]) -> list[ClaimEvidence]:
    """Numbers, dates and amounts when there are any (the most checkable part), else the named actors."""
    measures = [e for e in evidence if e.type != "actor"]
    return measures or evidence


def _score(speculation: list[Span], vague: list, named: list, unsourced: bool) -> float:
    keep = 1.0
    for span in speculation:
        keep *= 1.0 - SPECULATION_WEIGHT.get(span.label_, 0.5)
    if vague:
        keep *= 1.0 - VAGUE_WEIGHT
    if unsourced:
        keep *= 1.0 - UNSOURCED_WEIGHT
    doubt = 1.0 - keep
    if named:
        doubt *= NAMED_SOURCE_DISCOUNT
    return round(doubt, 2)


def _quote(span: Span) -> str:
    return " ".join(span.text.split())


def _in_running_text(phrase: str) -> str:
    """ "The governor" → "the governor" when it no longer starts a sentence (names keep their capitals)."""
    first, _, rest = phrase.partition(" ")
    return f"{first.lower()} {rest}" if rest and first in {"The", "A", "An", "This", "These", "Those"} else phrase


def _explain(
    speculation: list[Span], vague: list[Attribution], named: list[Attribution], evidence: list[ClaimEvidence], unsourced: bool,
    actor: Attribution | None = None,
) -> str:
    phrases = load_json("explanations.json")
    parts = []
    by_type: dict[str, list[str]] = {}
    for span in speculation:
        by_type.setdefault(span.label_, []).append(f"'{_quote(span)}'")
    for cue_type, quoted in by_type.items():
        if len(quoted) == 1:
            parts.append(f"{quoted[0]} {phrases['speculation'][cue_type]}")
        else:
            parts.append(f"{', '.join(quoted[:-1])} and {quoted[-1]} {phrases['speculation_many'][cue_type]}")
    for attribution in vague[:1]:
        template = phrases["vague"][attribution.pattern]
        source = _quote(attribution.source) if attribution.source is not None else ""
        cue = _quote(attribution.cue) if attribution.cue is not None else ""
        if attribution.pattern == "according_to":
            source = f"{cue} {source}".strip()
        parts.append(template.format(source=source, cue=cue))
    if named:
        first = named[0]
        source = _in_running_text(_quote(first.source)) if first.source is not None else "a named source"
        whose = f"{source}'s"
        pronoun = first.source is not None and len(first.source) == 1 and first.source[0].pos_ == "PRON"
        said = source if source == "I" or not pronoun else source.lower()
        if first.refers_to is not None:  # "he" → "Mr Obama ('he')", "the speculation is Mr Obama's ('he')" (#17)
            name = _in_running_text(_quote(first.refers_to))
            plural = said in {"they", "them"} and name.endswith("s")  # "the Democrats' ('they')", not "Democrats's"
            ending = "'" if plural else "'s"
            source, whose = f"{name} ('{said}')", f"{name}{ending} ('{said}')"
        elif pronoun:
            if first.source.root.lower_ in FIRST_AND_SECOND_PERSON:
                source, whose = f"the speaker ('{said}')", f"the speaker's own ('{said}')"
            else:  # "she said" with no one named before it in the text analysed
                source, whose = f"someone named earlier ('{said}')", f"that of someone named earlier ('{said}')"
        key = "sourced_speculation" if speculation else "sourced"
        parts.append(phrases[key].format(source=source, whose=whose))
    if actor is not None and actor.source is not None:
        parts.append(phrases["act"].format(source=_in_running_text(_quote(actor.source))))
    if evidence:
        listed = ", ".join(f"'{_quote(e.span)}'" for e in evidence[:3])
        key = "unsourced_actors" if all(e.type == "actor" for e in evidence) else "unsourced"
        parts.append(phrases[key].format(evidence=listed))
    elif unsourced:
        parts.append(phrases["unsourced_plain"])
    if not parts:
        parts.append(phrases["plain"])
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def _without_overlaps(cues: list[tuple[Span, str, str]]) -> list[tuple[Span, str, str]]:
    """Keep cues in priority order (speculation, attribution, claim), dropping overlaps; sort by position."""
    kept: list[tuple[Span, str, str]] = []
    for cue in cues:
        span = cue[0]
        if all(span.end_char <= other.start_char or span.start_char >= other.end_char for other, _, _ in kept):
            kept.append(cue)
    return sorted(kept, key=lambda cue: cue[0].start_char)
