"""Features of a candidate speculation cue in context, as a short string of feature tokens.

The cue classifier (a spaCy bag-of-ngrams text classifier trained with ``spacy train``, see
``training/``) reads this string and says whether the candidate really hedges its sentence.
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

_UNSAFE = re.compile(r"[^0-9a-z_]+")
_REPORTING = {"say", "tell", "report", "announce", "state", "add", "note", "claim"}


def _clean(value: str) -> str:
    return _UNSAFE.sub("", value.lower().replace("-", "_").replace("'", "q")) or "none"


def _token_features(prefix: str, token: Token | None) -> list[str]:
    if token is None:
        return [f"{prefix}W_none"]
    return [f"{prefix}W_{_clean(token.lower_)}", f"{prefix}T_{_clean(token.tag_)}"]


def candidate_features(span: Span, pattern_id: str, context_ok: bool) -> str:
    """Feature tokens for one candidate cue span."""
    doc = span.doc
    anchor = span.root
    head = anchor.head
    sent = anchor.sent
    children = sorted({_clean(c.dep_) for c in anchor.children})
    head_children = sorted({_clean(c.dep_) for c in head.children if c is not anchor})
    subject = next((c for c in head.children if c.dep_ in {"nsubj", "nsubjpass", "expl"}), None)
    before = doc[span.start - 1] if span.start > sent.start else None
    before2 = doc[span.start - 2] if span.start - 1 > sent.start else None
    after = doc[span.end] if span.end < sent.end else None
    features = [
        f"P_{_clean(pattern_id)}",
        f"CHK_{int(context_ok)}",
        f"L_{_clean(anchor.lemma_)}",
        f"W_{_clean(span.text)}",
        f"T_{_clean(anchor.tag_)}",
        f"D_{_clean(anchor.dep_)}",
        f"HL_{_clean(head.lemma_)}",
        f"HT_{_clean(head.tag_)}",
        f"HD_{_clean(head.dep_)}",
        f"SUBJ_{_clean(subject.pos_) if subject is not None else 'none'}",
        f"SUBJE_{_clean(subject.ent_type_) if subject is not None and subject.ent_type_ else 'none'}",
        f"NEG_{int(any(c.dep_ == 'neg' for c in head.children) or any(c.dep_ == 'neg' for c in anchor.children))}",
        f"IF_{int(any(t.lower_ in {'if', 'unless'} for t in sent))}",
        f"Q_{int(sent.text.rstrip().endswith('?'))}",
        f"FIRST_{int(span.start == sent.start)}",
        *[f"C_{dep}" for dep in children],
        *[f"HC_{dep}" for dep in head_children],
        *_token_features("B", before),
        *_token_features("BB", before2),
        *_token_features("A", after),
    ]
    lemma = f"L_{_clean(anchor.lemma_)}"
    reported = int(any(t.lemma_ in _REPORTING and t.pos_ == "VERB" for t in sent))
    features += [
        f"SAID_{reported}",
        # conjunctions: the same word behaves differently in different company
        f"{lemma}__CHK_{int(context_ok)}",
        f"{lemma}__D_{_clean(anchor.dep_)}",
        f"{lemma}__HL_{_clean(head.lemma_)}",
        f"{lemma}__HT_{_clean(head.tag_)}",
        f"{lemma}__IF_{int(any(t.lower_ in {'if', 'unless'} for t in sent))}",
        f"{lemma}__SAID_{reported}",
        f"{lemma}__SUBJ_{_clean(subject.pos_) if subject is not None else 'none'}",
        f"{lemma}__A_{_clean(after.lower_) if after is not None else 'none'}",
        f"{lemma}__B_{_clean(before.lower_) if before is not None else 'none'}",
        f"{lemma}__T_{_clean(anchor.tag_)}",
    ]
    return " ".join(features)
