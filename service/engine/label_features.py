"""What the finders say about a sentence, as named numeric features for the label combiner.

Pure functions of a sentence's findings (speculation cues, attributions, claim evidence, the rule
verdict) and of the sentence before: the combiner weighs them beside the encoder's probabilities.
Only backward-looking context is used, so a streamed article can be labelled as it is read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from spacy.tokens import Span

from .attribution import Attribution
from .claims import ClaimEvidence

LABELS = ("speculative", "vague_source", "unsourced", "sourced")
CUE_TYPES = ("epistemic", "doxastic", "investigation", "condition", "prediction", "question")
PATTERNS = ("according_to", "reporting_verb", "passive", "adverb", "headline_colon", "quote_signature", "stance", "continuation", "learned")
EVIDENCE_TYPES = ("number", "quantity", "percent", "money", "date", "actor", "effect")


EXCEPTIONS = ("not_unsourced", "speculation_only", "characterisation", "prescription", "narrative_link", "generic_statement")


def feature_names() -> list[str]:
    """The order of ``sentence_features``' vector (the combiner's weights are saved in this order).

    ``rule:`` and ``exception:`` features come from the hand-written label rules of ``judgement.judge``;
    the rest are the finders' raw findings."""
    names = [f"cue:{t}" for t in CUE_TYPES]
    names += [f"named:{p}" for p in PATTERNS] + [f"vague:{p}" for p in PATTERNS]
    names += ["act", "pronoun_source", "first_person_source"]
    names += ["claim", "claim_without_source"] + [f"evidence:{t}" for t in EVIDENCE_TYPES]
    names += ["previous:named", "previous:vague", "previous:speculation", "previous:claim"]
    names += ["question_mark", "quoted", "log_words"]
    names += [f"rule:{label}" for label in LABELS] + [f"previous_rule:{label}" for label in LABELS]
    names += [f"exception:{e}" for e in EXCEPTIONS]
    return names


RULE_PREFIXES = ("rule:", "previous_rule:", "exception:")


def uses_rules(names: Iterable[str]) -> bool:
    """Whether a combiner over ``names`` reads the hand-written rules' verdicts (worth running ``judge`` for)."""
    return any(name.startswith(RULE_PREFIXES) for name in names)


def _pattern(attribution: Attribution) -> str:
    return "learned" if attribution.confidence is not None else attribution.pattern


def sentence_features(
    sentence: Span,
    cues: Iterable[Span],
    attributions: Iterable[Attribution],
    evidence: Iterable[ClaimEvidence],
    claim: bool,
    rule_labels: Iterable[str],
    previous_rule_labels: Iterable[str],
    act: bool,
    previous_findings: tuple[bool, bool, bool, bool],
    exceptions: Iterable[str],
) -> list[float]:
    """The feature vector of one sentence, in ``feature_names()`` order."""
    cue_types = {span.label_ for span in cues}
    attributions = list(attributions)
    named = {_pattern(a) for a in attributions if a.kind == "named"}
    vague = {_pattern(a) for a in attributions if a.kind == "vague"}
    sources = [a.source for a in attributions if a.source is not None]
    evidence_types = {e.type for e in evidence}
    rule, previous = set(rule_labels), set(previous_rule_labels)
    text = sentence.text
    words = sum(1 for t in sentence if not (t.is_punct or t.is_space))
    vector = [float(t in cue_types) for t in CUE_TYPES]
    vector += [float(p in named) for p in PATTERNS] + [float(p in vague) for p in PATTERNS]
    vector += [
        float(act),
        float(any(len(s) == 1 and s[0].pos_ == "PRON" for s in sources)),
        float(any(s.root.lower_ in {"i", "we"} for s in sources)),
    ]
    vector += [float(claim), float(claim and not attributions and not act)] + [float(t in evidence_types) for t in EVIDENCE_TYPES]
    vector += [float(found) for found in previous_findings]
    vector += [float(text.rstrip().endswith("?")), float(any(q in text for q in '"“”')), math.log1p(words)]
    vector += [float(label in rule) for label in LABELS] + [float(label in previous) for label in LABELS]
    excepted = set(exceptions)
    vector += [float(e in excepted) for e in EXCEPTIONS]
    return vector


def findings_summary(cues: list, attributions: list[Attribution], claim: bool) -> tuple[bool, bool, bool, bool]:
    """What the next sentence's features keep of this one: a named source, a vague one, a speculation cue, a claim."""
    return (any(a.kind == "named" for a in attributions), any(a.kind == "vague" for a in attributions), bool(cues), claim)
