"""A sentence as feature tokens for the trained claim classifier.

The classifier (a spaCy bag-of-ngrams text classifier trained on ClaimBuster with ``spacy train``,
see ``training/``) reads the sentence's words together with what the parse says about them:
entity types, the kinds of claim evidence (``claims.claim_evidence``), verb tenses, the subject's
person, questions and length. Words alone tell debate rhetoric from claims; the parse features
carry over to news, where the vocabulary differs.
"""

from __future__ import annotations

from spacy.tokens import Span

from .claims import ClaimEvidence, claim_evidence
from .cue_features import _clean

MAX_WORDS = 60


def _length_bucket(words: int) -> str:
    return "LEN_short" if words < 8 else "LEN_mid" if words < 20 else "LEN_long"


def sentence_features(sent: Span, evidence: list[ClaimEvidence] | None = None, entities: list[Span] | None = None) -> str:
    """Feature tokens for one sentence (its words first, then parse features); ``evidence`` and ``entities``: if known."""
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    tokens = [f"w_{_clean(t.lower_)}" if not t.like_num else "w_NUM" for t in words[:MAX_WORDS]]
    entities = list(sent.ents) if entities is None else entities
    evidence = claim_evidence(sent, entities) if evidence is None else evidence
    subjects = [t for t in sent if t.dep_ in {"nsubj", "nsubjpass"}]
    features = [
        _length_bucket(len(words)),
        f"Q_{int(sent.text.rstrip().endswith('?'))}",
        f"EVID_{int(bool(evidence))}",
        *sorted({f"EV_{e.type}" for e in evidence}),
        *sorted({f"ENT_{e.label_}" for e in entities}),
        *sorted({f"VT_{_clean(t.tag_)}" for t in sent if t.pos_ in {"VERB", "AUX"}}),
        *sorted({f"MD_{_clean(t.lower_)}" for t in sent if t.tag_ == "MD"}),
        *sorted({f"SUBJ_{_clean(t.lower_) if t.pos_ == 'PRON' else t.ent_type_ or t.pos_}" for t in subjects}),
        f"NUM_{int(any(t.like_num for t in words))}",
    ]
    return " ".join(tokens + features)
