"""Engine throughput: words per second of the full analysis vs the bare en_core_web_sm pipeline and a blank tokenizer.

Run: python -m bench.engine_speed [--words 100000] [--rounds 3]
Builds a corpus from ../shared/data texts (news and Wikipedia sentences joined into ~800-word articles),
then times each pipeline over the same texts on one core and prints a Markdown table with peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path

import spacy

# Same threads for both pipelines: spaCy runs on one core, so the label encoder gets one intra-op thread too.
os.environ.setdefault("SOURCEWISE_ONNX_THREADS", "1")

from bench.report import write_section  # noqa: E402
from service.engine import analyze_many  # noqa: E402
from service.engine.pipeline import MODEL_CANDIDATES  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SOURCES = ["uncertainty/factbank_news_dev.jsonl", "attribution/polnear_dev.jsonl", "uncertainty/wiki_train.jsonl"]
ARTICLE_WORDS = 800


def build_corpus(words: int) -> list[str]:
    sentences = []
    for name in SOURCES:
        with (SHARED / name).open(encoding="utf-8") as handle:
            sentences += [json.loads(line)["text"] for line in handle]
    articles, current, count, total = [], [], 0, 0
    for sentence in sentences:
        current.append(sentence)
        count += len(sentence.split())
        if count >= ARTICLE_WORDS:
            articles.append(" ".join(current))
            total += count
            current, count = [], 0
            if total >= words:
                break
    return articles


def best_speeds(runs: dict[str, Callable[[list[str]], object]], texts: list[str], words: int, rounds: int) -> dict[str, float]:
    """Words/s of each run, the best of ``rounds`` rounds taken in turn (a shared machine's noise only ever slows a run)."""
    best: dict[str, float] = {}
    for _ in range(rounds):
        for label, run in runs.items():
            started = time.perf_counter()
            run(texts)
            best[label] = max(best.get(label, 0.0), words / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = parser.parse_args()
    texts = build_corpus(args.words)
    words = sum(len(text.split()) for text in texts)
    base = None
    for name in MODEL_CANDIDATES:
        try:
            base = spacy.load(name)
            break
        except OSError:
            continue
    blank = spacy.blank("en")
    list(analyze_many(texts[:2]))  # load the model before timing
    speeds = best_speeds({
        "blank tokenizer (floor)": lambda t: list(blank.pipe(t, batch_size=32)),
        "bare en_core_web_sm (nlp.pipe)": lambda t: list(base.pipe(t, batch_size=32)),
        "Sourcewise analyze_many": lambda t: list(analyze_many(t)),
    }, texts, words, args.rounds)
    rows = list(speeds.items())
    bare = rows[1][1]
    lines = [
        f"Corpus: {len(texts)} texts, {words} words (FactBank news, PolNeAR news and Wikipedia sentences joined into ~800-word articles); "
        f"best of {args.rounds} rounds, the pipelines taking turns.",
        "",
        "| pipeline | words/s | cost per word vs bare pipeline |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | {speed:,.0f} | {bare / speed:.2f}× |" for label, speed in rows]
    ratio = bare / rows[2][1]
    lines += ["", f"Peak RSS of the benchmark process (both pipelines loaded): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB.",
              f"Target: analysis ≤ 3.0× the bare pipeline per word (#15) — {'met' if ratio <= 3.0 else 'NOT met'} ({ratio:.2f}×)."]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("engine", "Engine throughput", table)


if __name__ == "__main__":
    main()
