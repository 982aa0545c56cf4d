"""Fit the label combiner, its calibration and the sensitivity thresholds on out-of-fold probabilities.

    python -m training.fit_combiner            # needs training/work/labeller/oof.jsonl (train_labels all)

For every reader-judged row: the encoder's out-of-fold probabilities (it never saw the row's article)
and the finders' features of the engine sentence that covers the row (``label_features``). A logistic
layer per label combines them; its own out-of-fold predictions (5 folds by article, nested inside the
same rows) choose the thresholds and give the scores that ``sourcewise evaluate`` prints. The final
layer is then fitted on all rows and written to ``service/engine/models/labeller/combiner.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from service.engine.label_features import LABELS, feature_names
from training.train_labels import DEFAULT_DATA, SHIPPED, WORK, load_rows

SENSITIVITY_PRECISION = {"strict": 0.90, "balanced": 0.80, "sensitive": 0.65}
COMBINER_FOLDS = 5
REGULARISATION = 1.0


def article_findings(data: Path) -> dict[str, list[tuple[int, int, list[float] | None]]]:
    """Each article's engine sentences: (start, end, features or None where the engine does not judge it)."""
    from service.engine.analysis import _LONE_SURROGATE, sentence_findings
    from service.engine.pipeline import get_nlp

    nlp = get_nlp()
    with open(data / "reader_train_articles.jsonl", encoding="utf-8") as handle:
        articles = [json.loads(line) for line in handle]
    found: dict[str, list[tuple[int, int, list[float] | None]]] = {}
    texts = (_LONE_SURROGATE.sub("\ufffd", a["text"]) for a in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16)):
        found[article["id"]] = [(f.span.start_char, f.span.end_char, f.features) for f in sentence_findings(doc, rules=True)]
    return found


def row_features(rows: list[dict], found: dict) -> list[list[float] | None]:
    """The features of the engine sentence overlapping each row most (None: the engine would not judge it)."""
    out = []
    for row in rows:
        best, overlap = None, 0
        for start, end, features in found.get(row["article"], []):
            shared = min(end, row["end"]) - max(start, row["start"])
            if shared > overlap:
                best, overlap = features, shared
        out.append(best)
    return out


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-5, 1 - 1e-5)
    return np.log(p / (1 - p))


def article_folds(rows: list[dict], folds: int, seed: int = 7) -> np.ndarray:
    articles = sorted({r["article"] for r in rows})
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(articles))
    fold_of = {articles[i]: n % folds for n, i in enumerate(order)}
    return np.array([fold_of[r["article"]] for r in rows])


def fit_layer(x: np.ndarray, y: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=REGULARISATION, max_iter=2000).fit(x, y)


def prf(predicted: np.ndarray, gold: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(predicted & gold))
    p = tp / max(1.0, float(np.sum(predicted)))
    r = tp / max(1.0, float(np.sum(gold)))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def threshold_for(probabilities: np.ndarray, gold: np.ndarray, min_precision: float) -> float:
    """The threshold with the best F1 among those whose precision reaches ``min_precision`` (else the surest)."""
    best, best_f1 = 0.99, -1.0
    for threshold in np.arange(0.05, 0.96, 0.01):
        p, _, f1 = prf(probabilities >= threshold, gold)
        if p >= min_precision and f1 > best_f1:
            best, best_f1 = float(threshold), f1
    return round(best, 2)


def scores_table(probabilities: np.ndarray, gold: np.ndarray, thresholds: dict[str, float], judged: np.ndarray, sources: np.ndarray) -> dict:
    """P/R/F1 per label, the clean-flag rate, and the same per source, for labels at ``thresholds``."""
    predicted = np.stack([(probabilities[:, j] >= thresholds[label]) & judged for j, label in enumerate(LABELS)], axis=1)
    gold = gold.astype(bool)

    def block(mask: np.ndarray) -> dict:
        out = {}
        for j, label in enumerate(LABELS):
            p, r, f1 = prf(predicted[mask, j], gold[mask, j])
            out[label] = {"p": round(p, 3), "r": round(r, 3), "f1": round(f1, 3)}
        clean = mask & ~gold[:, :3].any(axis=1)
        flagged = clean & predicted[:, :3].any(axis=1)
        out["clean_flagged"] = round(float(flagged.sum()) / max(1, int(clean.sum())), 3)
        out["rows"] = int(mask.sum())
        return out

    table = {"all": block(np.ones(len(gold), dtype=bool))}
    for source in sorted(set(sources)):
        table[source] = block(sources == source)
    return table


def calibration_error(probabilities: np.ndarray, gold: np.ndarray, bins: int = 10) -> dict[str, float]:
    """Expected calibration error per label (10 equal-width bins)."""
    out = {}
    for j, label in enumerate(LABELS):
        p, y = probabilities[:, j], gold[:, j]
        total = 0.0
        for b in range(bins):
            inside = (p >= b / bins) & (p < (b + 1) / bins if b < bins - 1 else p <= 1)
            if inside.any():
                total += inside.sum() * abs(p[inside].mean() - y[inside].mean())
        out[label] = round(total / len(p), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--oof", type=Path, default=WORK / "oof.jsonl")
    parser.add_argument("--out", type=Path, default=SHIPPED / "combiner.json")
    args = parser.parse_args()
    rows = load_rows(args.data)
    cache = WORK / "features.json"
    if cache.exists() and json.loads(cache.read_text())["names"] == feature_names():
        features = json.loads(cache.read_text())["rows"]
    else:
        features = row_features(rows, article_findings(args.data))
        cache.write_text(json.dumps({"names": feature_names(), "rows": features}))
    with open(args.oof, encoding="utf-8") as handle:
        oof = {r["id"]: r["p"] for r in map(json.loads, handle)}
    encoder_p = np.array([oof[r["id"]] for r in rows])
    judged = np.array([f is not None for f in features])
    width = len(feature_names())
    all_features = np.array([f if f is not None else [0.0] * width for f in features])
    gold = np.array([[r["labels"][label] for label in LABELS] for r in rows])
    sources = np.array([r["source"] for r in rows])
    folds = article_folds(rows, COMBINER_FOLDS)
    findings_only = [n for n in feature_names() if not n.startswith(RULE_PREFIXES)]
    candidates = {"findings": findings_only, "findings+rules": feature_names()}
    fitted = {name: cross_validated(encoder_p, all_features, names, gold, judged, sources, folds) for name, names in candidates.items()}
    for name, (_, thresholds, table) in fitted.items():
        print(f"-- combiner on the encoder + {name} features ({len(candidates[name])})")
        print_table(table, thresholds)
    # The hand-written label rules stay only if they still add something the model and the raw findings do not.
    gain = mean_f1(fitted["findings+rules"][2]) - mean_f1(fitted["findings"][2])
    chosen = "findings+rules" if gain > RULE_GAIN else "findings"
    print(f"rules add {gain:+.4f} mean F1 at the default sensitivity: shipping the combiner on {chosen}")
    names = candidates[chosen]
    combined, thresholds, table = fitted[chosen]
    encoder_thresholds = {label: threshold_for(encoder_p[judged, j], gold[judged, j].astype(bool), 0.80) for j, label in enumerate(LABELS)}
    evaluation = {
        "rows": len(rows), "articles": len({r["article"] for r in rows}), "judged_rows": int(judged.sum()),
        "combined": table,
        "encoder_only_at_p80": scores_table(encoder_p, gold, encoder_thresholds, judged, sources),
        "rules_gain_mean_f1": round(gain, 4),
        "calibration_error": {"combined": calibration_error(combined[judged], gold[judged]), "encoder": calibration_error(encoder_p[judged], gold[judged])},
    }
    x = design(encoder_p, all_features, names)
    layers = {}
    for j, label in enumerate(LABELS):
        layer = fit_layer(x[judged], gold[judged, j])
        layers[label] = {"weights": [round(float(w), 6) for w in layer.coef_[0]], "intercept": round(float(layer.intercept_[0]), 6)}
    args.out.write_text(json.dumps({
        "about": "Label combiner over the encoder's 4 logits and label_features; fitted on out-of-fold encoder probabilities (training/fit_combiner.py).",
        "feature_names": names, "labels": layers, "thresholds": thresholds, "sensitivity_precision": SENSITIVITY_PRECISION,
        "out_of_fold": evaluation,
    }, indent=1) + "\n", encoding="utf-8")
    print("-- encoder alone, P >= 0.80")
    print_table({"balanced": evaluation["encoder_only_at_p80"]}, {"balanced": encoder_thresholds})
    print("calibration error:", evaluation["calibration_error"])


RULE_PREFIXES = ("rule:", "previous_rule:", "exception:")
RULE_GAIN = 0.005


def design(encoder_p: np.ndarray, features: np.ndarray, names: list[str]) -> np.ndarray:
    columns = [feature_names().index(n) for n in names]
    return np.concatenate([logit(encoder_p), features[:, columns]], axis=1)


def cross_validated(encoder_p, features, names, gold, judged, sources, folds):
    """Out-of-fold combined probabilities, thresholds chosen on them, and the scores at each sensitivity."""
    x = design(encoder_p, features, names)
    combined = np.zeros_like(encoder_p)
    for fold in range(COMBINER_FOLDS):
        train, test = (folds != fold) & judged, folds == fold
        for j in range(len(LABELS)):
            combined[test, j] = fit_layer(x[train], gold[train, j]).predict_proba(x[test])[:, 1]
    thresholds = {s: {label: threshold_for(combined[judged, j], gold[judged, j].astype(bool), precision) for j, label in enumerate(LABELS)}
                  for s, precision in SENSITIVITY_PRECISION.items()}
    for label in LABELS:  # strict never marks more than balanced, balanced never more than sensitive
        thresholds["balanced"][label] = max(thresholds["balanced"][label], thresholds["sensitive"][label])
        thresholds["strict"][label] = max(thresholds["strict"][label], thresholds["balanced"][label])
    table = {s: scores_table(combined, gold, thresholds[s], judged, sources) for s in thresholds}
    return combined, thresholds, table


def mean_f1(table: dict) -> float:
    return float(np.mean([table["balanced"]["all"][label]["f1"] for label in LABELS]))


def print_table(table: dict, thresholds: dict) -> None:
    for sensitivity, block in table.items():
        line = "  ".join(f"{label[:4]} {block['all'][label]['p']:.3f}/{block['all'][label]['r']:.3f}/{block['all'][label]['f1']:.3f}" for label in LABELS)
        print(f"  {sensitivity:10} {line}  clean flagged {block['all']['clean_flagged']:.1%}  thresholds {thresholds[sensitivity]}")


if __name__ == "__main__":
    main()
