"""The learned labels: a fine-tuned encoder's probabilities combined with the finders' features.

The encoder (``models/labeller/encoder.int8.onnx``) reads a sentence with the end of the two sentences
before it (``label_inputs``); a logistic layer per label (``combiner.json``) weighs its four logits with
``label_features``; the output is a calibrated probability per label, thresholded by a sensitivity.
Everything in ``combiner.json`` was fitted on out-of-fold probabilities (folds by article), never on
rows the encoder was trained on (``training/train_labels.py``, ``training/fit_combiner.py``).

One ONNX Runtime session per process, made on first use (after gunicorn forks), with
``SOURCEWISE_ONNX_THREADS`` intra-op threads (default: cores / ``WEB_CONCURRENCY``, at least 1).
Each sentence runs alone: int8 dynamic quantisation scales activations over the whole batch, so a
batch would make a sentence's score depend on its neighbours (and streamed, chunked and whole
analysis must agree).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from .label_features import LABELS, feature_names, uses_rules
from .label_inputs import encode_pairs, load_tokenizer, padded_batch
from .limits import check_deadline

MODEL_DIR = "models/labeller"
ENCODER_FILE = "encoder.int8.onnx"
SENSITIVITIES = ("strict", "balanced", "sensitive")
DEFAULT_SENSITIVITY = "balanced"
THREADS_ENV = "SOURCEWISE_ONNX_THREADS"


def _model_path(name: str) -> Path:
    return Path(str(resources.files("service.engine").joinpath(MODEL_DIR).joinpath(name)))


@dataclass(frozen=True)
class Combiner:
    """Per label: weights over [4 encoder logits, features], an intercept, and a threshold per sensitivity."""

    feature_names: tuple[str, ...]
    columns: np.ndarray  # where each of ``feature_names`` sits in ``label_features.feature_names()``
    weights: dict[str, np.ndarray]
    intercepts: dict[str, float]
    thresholds: dict[str, dict[str, float]]  # sensitivity -> label -> probability

    @property
    def uses_rules(self) -> bool:
        """Whether it weighs the hand-written rules' verdicts: if not, the engine does not run them."""
        return uses_rules(self.feature_names)

    def probabilities(self, logits: np.ndarray, features: np.ndarray) -> list[dict[str, float]]:
        inputs = np.concatenate([logits, features[:, self.columns]], axis=1)
        columns = {label: inputs @ self.weights[label] + self.intercepts[label] for label in LABELS}
        return [{label: 1.0 / (1.0 + math.exp(-float(columns[label][row]))) for label in LABELS} for row in range(len(inputs))]


@cache
def load_combiner() -> Combiner:
    data = json.loads(_model_path("combiner.json").read_text(encoding="utf-8"))
    known = feature_names()
    if not set(data["feature_names"]) <= set(known):
        raise RuntimeError("combiner.json uses features label_features no longer computes: refit it (training/fit_combiner.py)")
    return Combiner(
        feature_names=tuple(data["feature_names"]),
        columns=np.asarray([known.index(name) for name in data["feature_names"]], dtype=np.int64),
        weights={label: np.asarray(data["labels"][label]["weights"], dtype=np.float64) for label in LABELS},
        intercepts={label: float(data["labels"][label]["intercept"]) for label in LABELS},
        thresholds={s: {label: float(data["thresholds"][s][label]) for label in LABELS} for s in SENSITIVITIES},
    )


@cache
def weights_hash() -> str:
    """A short hash of the shipped weights (encoder and combiner): new weights never serve old cached results."""
    digest = hashlib.sha256()
    for name in (ENCODER_FILE, "combiner.json"):
        digest.update(_model_path(name).read_bytes())
    return digest.hexdigest()[:10]


def default_threads() -> int:
    """Intra-op threads for this process: SOURCEWISE_ONNX_THREADS, else cores shared among the web workers."""
    if os.environ.get(THREADS_ENV):
        return max(1, int(os.environ[THREADS_ENV]))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    return max(1, cores // max(1, workers))


class Encoder:
    """The ONNX encoder and its tokenizer, one session per process (re-made in a forked child)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._session = None
        self._tokenizer = load_tokenizer(str(_model_path("tokenizer.json")))

    def _session_here(self):
        with self._lock:
            if self._pid != os.getpid():
                import onnxruntime

                options = onnxruntime.SessionOptions()
                options.intra_op_num_threads = default_threads()
                options.inter_op_num_threads = 1
                self._session = onnxruntime.InferenceSession(str(_model_path(ENCODER_FILE)), options, providers=["CPUExecutionProvider"])
                self._pid = os.getpid()
            return self._session

    def start_session(self) -> None:
        """Make this process's session now (a forked worker, before it serves) rather than on first use."""
        self._session_here()

    def logits(self, sentences: Sequence[str], contexts: Sequence[str]) -> np.ndarray:
        """Four logits per sentence (sentences × 4)."""
        if not sentences:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        session = self._session_here()
        pairs = encode_pairs(self._tokenizer, sentences, contexts)
        done: dict[tuple, np.ndarray] = {}  # the same input (a repeated line and its context) is run once
        rows = []
        for ids, segments in pairs:
            key = (tuple(ids), tuple(segments))
            if key not in done:
                check_deadline()  # the encoder is ~40 % of an analysis: ANALYSIS_TIMEOUT must hold inside it too
                done[key] = session.run(["logits"], padded_batch([(ids, segments)]))[0]
            rows.append(done[key])
        return np.concatenate(rows)


@cache
def encoder() -> Encoder:
    return Encoder()


def label_scores(sentences: Sequence[str], contexts: Sequence[str], features: Sequence[Sequence[float]]) -> list[dict[str, float]]:
    """Calibrated probability of each label for each sentence."""
    if not sentences:
        return []
    logits = encoder().logits(sentences, contexts)
    return load_combiner().probabilities(logits.astype(np.float64), np.asarray(features, dtype=np.float64))


def labels_at(scores: dict[str, float], sensitivity: str = DEFAULT_SENSITIVITY) -> list[str]:
    """The labels whose probability reaches the sensitivity's threshold, in ``LABELS`` order."""
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"sensitivity must be one of {SENSITIVITIES}, got {sensitivity!r}")
    thresholds = load_combiner().thresholds[sensitivity]
    return [label for label in LABELS if scores[label] >= thresholds[label]]
