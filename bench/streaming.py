"""Streaming and chunking (#16): first streamed line vs whole analysis, memory and time on long texts, --jobs.

Run ``python -m bench.streaming [--rounds 5] [--skip-jobs]``. Prints Markdown tables:
- an 800-word article (the seed article's sentences in paragraphs of two, repeated with numbers changed, so nothing
  is cached):
  time to the first streamed chunk vs the whole analysis, median of ``--rounds``;
- texts of 10, 40 and 200 KB: seconds, seconds per 10 KB, and a fresh process each: its RSS with the model
  loaded and its peak RSS during the analysis (VmHWM, reset once loaded); the 200 KB text also as one whole Doc;
- ``sourcewise analyze --jsonl --jobs 1`` vs ``--jobs 2`` words/s on the same articles.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "tests" / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")


# The seed article is one block: cut into paragraphs of two sentences, as a news page's text comes (the six saved
# pages' paragraphs are 1-3 sentences, at most about 700 characters).
_SENTENCES = [s for s in re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", SEED.strip()) if s]
PARAGRAPHS = [" ".join(_SENTENCES[i : i + 2]) for i in range(0, len(_SENTENCES), 2)]


def article(words: int, salt: int) -> str:
    """The seed's paragraphs (two sentences each), each with a number made unique by ``salt``, until ``words`` words."""
    blocks = PARAGRAPHS
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
import json, sys, time
from service.engine import analyze
from service.engine.analysis import analyze_whole
from bench.streaming import article, rss_mb
from service.engine.pipeline import warm_vocab
analyze("Warm up: prices may rise.")
warm_vocab()  # as a served worker has (create_app), so the first measured text does not pay it
loaded = rss_mb("VmRSS")
open("/proc/self/clear_refs", "w").write("5")  # the peak (VmHWM) counts from here: the analysis alone
words, how = int(sys.argv[1]), sys.argv[2]
text = article(words, 7)
started = time.perf_counter()
result = analyze(text) if how == "chunked" else analyze_whole(text)
print(json.dumps({"chars": len(text), "seconds": time.perf_counter() - started, "loaded_mb": loaded,
                  "peak_mb": rss_mb("VmHWM"), "sentences": len(result["sentences"])}))
"""


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith(field + ":"))


def long_texts() -> list[str]:
    rows = ["| text | analysis | sentences | seconds | s per 10 KB | RSS with the model loaded | peak RSS during the analysis |",
            "|---|---|---|---|---|---|---|"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kb, how in ((10, "chunked"), (40, "chunked"), (200, "chunked"), (200, "whole Doc")):
        words = kb * 1000 // 6  # about 6 characters a word
        done = subprocess.run([sys.executable, "-c", _MEASURE, str(words), how.split()[0]], capture_output=True, text=True, check=True,
                              env=env, cwd=ROOT)
        m = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(f"| {m['chars'] / 1000:.0f} KB | {how} | {m['sentences']} | {m['seconds']:.2f} | {m['seconds'] / (m['chars'] / 10_000):.2f} | "
                    f"{m['loaded_mb']:.0f} MB | {m['peak_mb']:.0f} MB (+{m['peak_mb'] - m['loaded_mb']:.0f}) |")
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
    parser.add_argument("--only", choices=["first", "long", "jobs"], help="one table only")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    tables = {"first": lambda: first_line_vs_whole(args.rounds), "long": long_texts, "jobs": lambda: jobs(args.articles)}
    tables = [tables[args.only]] if args.only else [tables["first"], tables["long"]] + ([] if args.skip_jobs else [tables["jobs"]])
    for table in tables:
        print("\n".join(table()) + "\n", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
