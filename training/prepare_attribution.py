"""Build the attribution classifier's training data: one feature document per candidate cue.

Source: PolNeAR's train split only (``polnear_dev.jsonl`` is what ``sourcewise evaluate`` measures).
A candidate is positive when it overlaps a gold ``Cue`` span. One article in ten (by name) becomes
the training run's own dev set, which is also where the runtime threshold is chosen.

Run: python training/prepare_attribution.py ../shared training/corpus
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus_tools import internal_dev, parsed, write_parts  # noqa: E402

from service.engine.attribution_features import candidate_features, candidates  # noqa: E402
from service.engine.pipeline import load_base_model  # noqa: E402
from service.engine.resources import feature_doc as make_feature_doc  # noqa: E402

SOURCE = "data/attribution/polnear_train.jsonl"


def parsed_rows(shared: str, out_dir: str) -> tuple[list[dict], list]:
    """PolNeAR train rows and their parses (cached on disk: parsing takes minutes)."""
    with open(Path(shared) / SOURCE, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    nlp = load_base_model()
    return rows, parsed(nlp, [row["text"] for row in rows], Path(out_dir) / "parsed-polnear_train.spacy")

def main(shared: str, out_dir: str) -> None:
    rows, docs = parsed_rows(shared, out_dir)
    blank = spacy.blank("en")
    parts: dict[str, list] = {"train": [], "dev": []}
    for row, doc in zip(rows, docs):
        gold = [(start, end) for start, end, kind, _ in row["spans"] if kind == "Cue"]
        for sent in doc.sents:
            for candidate in candidates(sent):
                token = candidate.cue
                end = token.idx + len(token.text)
                positive = any(token.idx < g_end and g_start < end for g_start, g_end in gold)
                feature_doc = make_feature_doc(blank.vocab, candidate_features(candidate))
                feature_doc.cats = {"ATTRIBUTION": float(positive)}
                parts["dev" if internal_dev(row["article"]) else "train"].append(feature_doc)
    write_parts(parts, out_dir, "attribution", "ATTRIBUTION")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
