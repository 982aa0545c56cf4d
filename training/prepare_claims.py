"""Build the claim classifier's training data from ClaimBuster (its training split only).

Each sentence becomes a feature document (``service.engine.claim_features``) labelled ``CLAIM``
from ``checkworthy``. The held-out split (``service.evaluation.held_out`` on sentence_id), which
``sourcewise evaluate`` measures, is never written here. One sentence in ten of the rest becomes
the training run's own dev set, where the runtime thresholds are chosen.

Run: python training/prepare_claims.py ../shared training/corpus
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus_tools import internal_dev, write_parts  # noqa: E402

from service.engine.claim_features import sentence_features  # noqa: E402
from service.engine.pipeline import load_base_model  # noqa: E402
from service.engine.resources import feature_doc as make_feature_doc  # noqa: E402
from service.evaluation import held_out  # noqa: E402

SOURCE = "data/checkworthy/claimbuster_train.jsonl"


def main(shared: str, out_dir: str) -> None:
    with open(Path(shared) / SOURCE, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = [row for row in rows if not held_out(str(row["sentence_id"]))]
    nlp = load_base_model()
    blank = spacy.blank("en")
    parts: dict[str, list] = {"train": [], "dev": []}
    for row, doc in zip(rows, nlp.pipe((row["text"] for row in rows), batch_size=256)):
        feature_doc = make_feature_doc(blank.vocab, sentence_features(doc[:]))
        feature_doc.cats = {"CLAIM": float(row["checkworthy"])}
        parts["dev" if internal_dev(str(row["sentence_id"])) else "train"].append(feature_doc)
    write_parts(parts, out_dir, "claims", "CLAIM", unit="sentences")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
