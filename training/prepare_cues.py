"""Build the cue classifier's training data: one feature document per candidate cue.

Sources: the Wikipedia uncertainty corpus without its held-out documents (``service.evaluation.held_out``)
and the BioScope abstracts. FactBank news is never used here (it is the news dev set).
A candidate is positive when it overlaps a gold cue. One document in ten (by doc_id) becomes the
training run's own dev set.

Run: python training/prepare_cues.py ../shared training/corpus [comma-separated sources]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from corpus_tools import internal_dev, parsed, write_parts  # noqa: E402

from service.engine.cue_features import candidate_features  # noqa: E402
from service.engine.pipeline import build_pipeline, load_base_model  # noqa: E402
from service.engine.resources import feature_doc as make_feature_doc  # noqa: E402
from service.evaluation import held_out  # noqa: E402

SOURCES = ["data/uncertainty/wiki_train.jsonl", "data/uncertainty/bio_train.jsonl"]


def main(shared: str, out_dir: str, sources: list[str] = SOURCES) -> None:
    nlp = build_pipeline(load_base_model(), {"classifier": None})
    component = nlp.get_pipe("sourcewise_speculation")
    blank = spacy.blank("en")
    rows = []
    for name in sources:
        with open(Path(shared) / name, encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle if line.strip()]
    rows = [row for row in rows if not held_out(row["doc_id"])]
    parts: dict[str, list] = {"train": [], "dev": []}
    cache = Path(out_dir) / f"parsed-{'-'.join(Path(name).stem for name in sources)}.spacy"
    for row, doc in zip(rows, parsed(nlp, [row["text"] for row in rows], cache)):
        gold = [(start, end) for start, end, _ in row["cues"]]
        for span, ok in component.candidates(doc):
            positive = any(span.start_char < end and start < span.end_char for start, end in gold)
            feature_doc = make_feature_doc(blank.vocab, candidate_features(span, span.id_, ok))
            feature_doc.cats = {"CUE": float(positive)}
            parts["dev" if internal_dev(row["doc_id"]) else "train"].append(feature_doc)
    write_parts(parts, out_dir, "cues", "CUE")

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3].split(",") if len(sys.argv) > 3 else SOURCES)
