"""What the three ``prepare_*.py`` scripts share: the internal dev split, cached parses, writing the DocBins."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin


def internal_dev(key: str) -> bool:
    """The training run's own dev set: one document (article, sentence id) in ten."""
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % 10 == 0


def parsed(nlp: Language, texts: list[str], cache: Path) -> list[Doc]:
    """The texts parsed by the English pipeline (no Sourcewise components), cached on disk: parsing takes minutes."""
    if cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(texts):
            return docs
    with nlp.select_pipes(disable=[name for name in nlp.pipe_names if name.startswith("sourcewise_")]):
        docs = list(nlp.pipe(texts, batch_size=256, n_process=2))
    cache.parent.mkdir(parents=True, exist_ok=True)
    DocBin(store_user_data=False, docs=docs).to_disk(cache)
    return docs


def write_parts(parts: dict[str, list[Doc]], out_dir: str, prefix: str, label: str, unit: str = "candidates") -> None:
    """Shuffle and write ``{prefix}_train.spacy`` / ``{prefix}_dev.spacy``, printing their sizes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, docs in parts.items():
        random.Random(13).shuffle(docs)
        DocBin(docs=docs).to_disk(out / f"{prefix}_{name}.spacy")
        print(f"{name}: {len(docs)} {unit}, {sum(doc.cats[label] for doc in docs):.0f} {label}")
