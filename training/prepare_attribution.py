"""Build the attribution classifier's training data: one feature document per candidate cue.

Source: PolNeAR's train split only (``polnear_dev.jsonl`` is what ``sourcewise evaluate`` measures).
A candidate is positive when it overlaps a gold ``Cue`` span. One article in ten (by name) becomes
the training run's own dev set, which is also where the runtime threshold is chosen.

Run: python training/prepare_attribution.py ../shared training/corpus
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

import spacy
from spacy.tokens import DocBin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from service.engine.attribution_features import candidate_features, candidates  # noqa: E402
from service.engine.pipeline import load_base_model  # noqa: E402
from service.engine.resources import feature_doc as make_feature_doc  # noqa: E402

SOURCE = "data/attribution/polnear_train.jsonl"


def internal_dev(article: str) -> bool:
    """The training run's own dev articles (one in ten)."""
    return int(hashlib.sha1(article.encode("utf-8")).hexdigest(), 16) % 10 == 0


def parsed_rows(shared: str, out_dir: str) -> tuple[list[dict], list]:
    """PolNeAR train rows and their parses (cached on disk: parsing takes minutes)."""
    with open(Path(shared) / SOURCE, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    nlp = load_base_model()
    cache = Path(out_dir) / "parsed-polnear_train.spacy"
    if cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(rows):
            return rows, docs
    docs = list(nlp.pipe((row["text"] for row in rows), batch_size=256, n_process=2))
    cache.parent.mkdir(parents=True, exist_ok=True)
    DocBin(store_user_data=False, docs=docs).to_disk(cache)
    return rows, docs


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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, feature_docs in parts.items():
        random.Random(13).shuffle(feature_docs)
        DocBin(docs=feature_docs).to_disk(out / f"attribution_{name}.spacy")
        positives = sum(d.cats["ATTRIBUTION"] for d in feature_docs)
        print(f"{name}: {len(feature_docs)} candidates, {positives:.0f} positive")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
