"""The learned labels' cross-validated scores on the reader-judged training set, as saved with the weights.

``training/fit_combiner.py`` computes them from out-of-fold predictions (folds by article: no row is
scored by an encoder or combiner that saw its article) and stores them in ``combiner.json``; this
module only formats them, so ``sourcewise evaluate`` needs no training data to print them.
"""

from __future__ import annotations

import json

from .engine.label_features import LABELS
from .engine.labeller import SENSITIVITIES, _model_path

SOURCE_NAMES = {
    "bbc": "BBC News 2004-05", "web2016": "US news & hyperpartisan 2016", "polnear_train": "PolNeAR train articles",
    "polnear_vague": "PolNeAR unnamed sources", "web_other": "other web pages",
}


def out_of_fold() -> dict:
    """The evaluation block of the shipped ``combiner.json``."""
    return json.loads(_model_path("combiner.json").read_text(encoding="utf-8")).get("out_of_fold", {})


def _cells(block: dict) -> str:
    return " | ".join(f"{block[label]['p']:.3f} / {block[label]['r']:.3f} / {block[label]['f1']:.3f}" for label in LABELS)


def format_out_of_fold(evaluation: dict | None = None) -> str:
    """Markdown tables: each sensitivity on all rows, the encoder alone, and the default per source."""
    evaluation = out_of_fold() if evaluation is None else evaluation
    if not evaluation:
        return "Learned labels: no out-of-fold scores saved with these weights."
    head = "| | " + " | ".join(LABELS) + " | clean sentences flagged |\n|---|" + "---|" * (len(LABELS) + 1)
    lines = [f"Learned labels, cross-validated on the reader-judged training set ({evaluation['rows']} sentences of "
             f"{evaluation['articles']} articles, folds by article), P / R / F1:", "", head]
    for sensitivity in SENSITIVITIES:
        block = evaluation["combined"][sensitivity]["all"]
        lines.append(f"| {sensitivity} | {_cells(block)} | {block['clean_flagged']:.1%} |")
    block = evaluation["encoder_only_at_p80"]["all"]
    lines.append(f"| encoder alone (P ≥ 0.80) | {_cells(block)} | {block['clean_flagged']:.1%} |")
    lines += ["", "Per source, balanced (the default):", "", head.replace("| |", "| source (rows) |", 1)]
    for source, block in evaluation["combined"]["balanced"].items():
        if source != "all":
            lines.append(f"| {SOURCE_NAMES.get(source, source)} ({block['rows']}) | {_cells(block)} | {block['clean_flagged']:.1%} |")
    errors = evaluation.get("calibration_error", {}).get("combined")
    if errors:
        lines += ["", "Calibration error (ECE, 10 bins): " + ", ".join(f"{label} {errors[label]:.3f}" for label in LABELS)]
    return "\n".join(lines)
