"""Streaming and chunking (#16): first streamed line vs whole analysis, memory and time on long texts, --jobs.

Run ``python -m bench.streaming [--rounds 5] [--skip-jobs]``. Prints Markdown tables:
- an 800-word article (the seed article's paragraphs repeated with numbers changed, so nothing is cached):
  time to the first streamed chunk vs the whole analysis, median of ``--rounds``;
- texts of 10, 40 and 200 KB: seconds, seconds per 10 KB and the peak RSS of a fresh process each
  (the 200 KB one is the memory bound a worker must keep, 450 MB);
- ``sourcewise analyze --jsonl --jobs 1`` vs ``--jobs 2`` words/s on the same articles.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "tests" / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")


def article(words: int, salt: int) -> str:
    """Seed paragraphs, each with a number made unique by ``salt``, until ``words`` words."""
    blocks = [b for b in SEED.split("\n\n") if b.strip()]
    out, count, n = [], 0, 0
    while count < words:
        block = f"{blocks[n % len(blocks)]} The figure for case {salt}-{n} was {salt * 31 + n} people."
        out.append(block)
        count += len(block.split())
        n += 1
    return "\n\n".join(out)


def first_line_vs_whole(rounds: int) -> list[str]:
    from service.engine import analyze, analyze_stream

    analyze(article(800, 0))  # load and warm
    firsts, wholes = [], []
    for r in range(1, rounds + 1):
        text = article(800, r)
        started = time.perf_counter()
        stream = analyze_stream(text)
        next(stream)
        firsts.append(time.perf_counter() - started)
        for _ in stream:
            pass
        started = time.perf_counter()
        analyze(article(800, 1000 + r))
        wholes.append(time.perf_counter() - started)
    first, whole = statistics.median(firsts), statistics.median(wholes)
    return [f"| 800-word article (median of {rounds}) | first streamed line | whole analysis | ratio |", "|---|---|---|---|",
            f"| engine, in process | {first * 1000:.0f} ms | {whole * 1000:.0f} ms | {first / whole:.0%} (target ≤ 25 %) |"]


_MEASURE = """
import json, resource, sys, time
from service.engine import analyze
from bench.streaming import article
analyze("Warm up: prices may rise.")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
words = int(sys.argv[1])
text = article(words, 7)
started = time.perf_counter()
result = analyze(text)
print(json.dumps({"chars": len(text), "seconds": time.perf_counter() - started, "loaded_mb": base,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "sentences": len(result["sentences"])}))
"""


def long_texts() -> list[str]:
    rows = ["| text | sentences | seconds | s per 10 KB | peak RSS (model loaded: before) |", "|---|---|---|---|---|"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kb in (10, 40, 200):
        words = kb * 1000 // 6  # about 6 characters a word
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(words)], capture_output=True, text=True, check=True, env=env, cwd=ROOT)
        m = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(f"| {m['chars'] / 1000:.0f} KB | {m['sentences']} | {m['seconds']:.2f} | {m['seconds'] / (m['chars'] / 10_000):.2f} | "
                    f"{m['peak_mb']:.0f} MB ({m['loaded_mb']:.0f} MB) |")
    return rows


def jobs(articles: int) -> list[str]:
    texts = [article(800, 5000 + n) for n in range(articles)]
    words = sum(len(t.split()) for t in texts)
    rows = [f"| `analyze --jsonl` ({articles} articles, {words} words) | seconds | words/s |", "|---|---|---|"]
    speeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.jsonl"
        source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for n in ("1", "2"):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "service.cli", "analyze", "--jsonl", str(source), "--jobs", n, "--out", os.devnull],
                           check=True, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
            seconds = time.perf_counter() - started  # includes loading the model once (a few seconds)
            speeds[n] = words / seconds
            rows.append(f"| --jobs {n} | {seconds:.1f} | {speeds[n]:.0f} |")
    rows.append(f"| ratio | | {speeds['2'] / speeds['1']:.2f}x (target ≥ 1.7x) |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--skip-jobs", action="store_true")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    tables = [lambda: first_line_vs_whole(args.rounds), long_texts] + ([] if args.skip_jobs else [lambda: jobs(args.articles)])
    for table in tables:
        print("\n".join(table()) + "\n", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
