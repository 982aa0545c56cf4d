"""Build spaCy DocBin files for the check-worthy claim classifier from ClaimBuster (train split only).

The held-out split (``service.evaluation.held_out`` on sentence_id) is never written here.
Run: python training/prepare_claims.py ../shared/data/checkworthy/claimbuster_train.jsonl training/corpus
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.evaluation import held_out  # noqa: E402


def main(source: str, out_dir: str) -> None:
    nlp = spacy.blank("en")
    rows = [json.loads(line) for line in open(source, encoding="utf-8") if line.strip()]
    train_rows = [row for row in rows if not held_out(str(row["sentence_id"]))]
    random.Random(13).shuffle(train_rows)
    cut = len(train_rows) // 10
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, part in (("dev", train_rows[:cut]), ("train", train_rows[cut:])):
        bin_ = DocBin()
        for row in part:
            doc = nlp.make_doc(row["text"])
            doc.cats = {"CLAIM": float(row["checkworthy"])}
            bin_.add(doc)
        bin_.to_disk(out / f"claims_{name}.spacy")
        print(name, len(part))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
