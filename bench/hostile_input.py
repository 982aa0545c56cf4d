"""Hostile input: analysis time of each hostile class against real news of the same size, and worker memory.

Run: python -m bench.hostile_input [--sizes 10,40,200] [--rounds 1] [--memory-texts 200] [--memory-words 2500]
     [--gunicorn-texts 200] [--no-zones] [--write]
Times ``analyze`` in this process (one core, as a gunicorn worker runs it) for each class of issue #12 and
a few more, at each size in KB, with the ratio to real news of the same size (the target: at most 3x).
Real news is built from ../shared/data news sentences (FactBank and PolNeAR dev) when present, else from the
seed article and the six pages' texts in tests/. Then analyses texts of new random words and prints the
resident memory (RSS) of the process, with spaCy memory zones (as shipped) or, with --no-zones, without;
and the RSS of one gunicorn worker (the shipped gunicorn.conf.py) sent such texts over HTTP.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import random
import re
import string
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench.report import write_section
from service.engine import analyze
from service.engine.pipeline import get_nlp

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
NEWS_FILES = ["uncertainty/factbank_news_dev.jsonl", "attribution/polnear_dev.jsonl"]


def news_text(size: int) -> str:
    """Real news of ``size`` characters: corpus sentences, paragraphs of five, or the repository's own articles."""
    if all((SHARED / name).exists() for name in NEWS_FILES):
        sentences = [json.loads(line)["text"] for name in NEWS_FILES for line in (SHARED / name).open(encoding="utf-8")]
        paragraphs = [" ".join(sentences[i : i + 5]) for i in range(0, len(sentences), 5)]
    else:
        paragraphs = [(ROOT / "tests" / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")]
        for page in sorted((ROOT / "tests" / "pages").glob("*/expected.html")):
            raw = re.sub(r"</(p|h\d|li|blockquote)>", "\n\n", page.read_text(encoding="utf-8"))
            paragraphs.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    text = ""
    for paragraph in paragraphs:
        text += paragraph.strip() + "\n\n"
        if len(text) >= size:
            break
    return _fill(text, size)


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def new_words(count: int, rng: random.Random) -> str:
    """``count`` random lower-case words, nearly all unseen before."""
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10))) for _ in range(count)) + "."


HOSTILE: dict[str, Callable[[int], str]] = {
    'run of ")"': lambda size: _fill(")", size),
    "run of quote marks": lambda size: _fill('"', size),
    'run of "$"': lambda size: _fill("$", size),
    '"he said that" repeated': lambda size: _fill("he said that ", size),
    '"reportedly" repeated': lambda size: _fill("reportedly ", size),
    "possessive chain": lambda size: _fill("the man's " * 1000 + "report said that it rained. ", size),
    "random new words": lambda size: _fill(new_words(size // 6, random.Random(size)), size),
    '") " repeated': lambda size: _fill(") ", size),
    "'\"a\" ' repeated": lambda size: _fill('"a" ', size),
    '"x" and a line break repeated': lambda size: _fill("x\n", size),
    '"he said that. " repeated': lambda size: _fill("he said that. ", size),
}


def seconds(text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        analyze(text)
        best = min(best, time.perf_counter() - started)
    return best


def time_table(sizes_kb: list[int], rounds: int) -> str:
    texts = {"real news": {kb: news_text(kb * 1000) for kb in sizes_kb}}
    texts.update({name: {kb: make(kb * 1000) for kb in sizes_kb} for name, make in HOSTILE.items()})
    times = {name: {kb: seconds(by_size[kb], rounds) for kb in sizes_kb} for name, by_size in texts.items()}
    head = "| input | " + " | ".join(f"{kb} KB s | ratio" for kb in sizes_kb) + " |"
    rows = [head, "|---|" + "---:|---:|" * len(sizes_kb)]
    for name, by_size in times.items():
        cells = " | ".join(f"{by_size[kb]:.2f} | {by_size[kb] / times['real news'][kb]:.2f}" for kb in sizes_kb)
        rows.append(f"| {name} | {cells} |")
    worst = max(by_size[kb] / times["real news"][kb] for name, by_size in times.items() for kb in sizes_kb)
    rows.append(f"\nWorst ratio to real news: **{worst:.2f}x** (best of {rounds} run(s) per cell).")
    return "\n".join(rows)


def rss_mb() -> float:
    for line in Path(f"/proc/{os.getpid()}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory_table(texts: int, words: int, zones: bool) -> str:
    nlp = get_nlp()
    if not zones:  # what the engine did before #12: every new word stays in the vocabulary and the caches
        nlp.memory_zone = contextlib.nullcontext  # type: ignore[method-assign]
        for name in [n for n in nlp.pipe_names if n == "sourcewise_lemma_cache_bound"]:
            nlp.remove_pipe(name)
    rng = random.Random(12)
    analyze("Warm up, the minister said.")
    rows = ["| texts analysed | RSS MB | strings in the vocabulary |", "|---:|---:|---:|", f"| 0 | {rss_mb():.0f} | {len(nlp.vocab.strings)} |"]
    for done in range(1, texts + 1):
        analyze(new_words(words, rng))
        if done % max(1, texts // 5) == 0 or done == texts:
            rows.append(f"| {done} | {rss_mb():.0f} | {len(nlp.vocab.strings)} |")
    mode = "with spaCy memory zones and the bounded lemmatizer cache" if zones else "without memory zones (as before #12)"
    return f"{texts} texts of {words} new random words each, one process, {mode}:\n\n" + "\n".join(rows)


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
    return found


def _pid_rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def gunicorn_memory_table(texts: int, words: int) -> str:
    """One gunicorn worker (the shipped gunicorn.conf.py) sent ``texts`` texts of new words over HTTP."""
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1", "RATE_LIMIT": "off", "REDIS_URL": ""}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "service.web.wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            time.sleep(0.3)
        rng = random.Random(12)
        workers: set[int] = set()
        peak = 0.0
        rows = ["| texts sent | worker RSS MB | highest so far | workers so far |", "|---:|---:|---:|---:|"]
        for done in range(1, texts + 1):
            body = json.dumps({"text": new_words(words, rng)}).encode()
            request = urllib.request.Request(base + "/analyze", data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                assert response.status == 200
            current = _children(process.pid)
            workers |= set(current)
            now = max((_pid_rss_mb(pid) for pid in current), default=0.0)
            peak = max(peak, now)
            if done % max(1, texts // 5) == 0 or done == texts:
                rows.append(f"| {done} | {now:.0f} | {peak:.0f} | {len(workers)} |")
    finally:
        process.terminate()
        process.wait(timeout=30)
    return (f"gunicorn as shipped (`WORKER_MAX_RSS_MB`=400, `GUNICORN_MAX_REQUESTS`=1000), one worker, {texts} texts of "
            f"{words} new random words each over HTTP; RSS read after each answer:\n\n" + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,40,200", help="sizes in KB, comma-separated")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--memory-texts", type=int, default=200)
    parser.add_argument("--memory-words", type=int, default=2500)
    parser.add_argument("--gunicorn-texts", type=int, default=200, help="texts of new words sent to a gunicorn worker (0: skip)")
    parser.add_argument("--no-zones", action="store_true", help="measure memory without memory zones")
    parser.add_argument("--write", action="store_true", help="write the tables into docs/benchmarks.md")
    args = parser.parse_args()
    get_nlp()
    parts = []
    # memory first, while this process has analysed nothing large (a 200 KB text's arrays raise the RSS for a while)
    if args.memory_texts:
        memory = memory_table(args.memory_texts, args.memory_words, zones=not args.no_zones)
        print(memory, flush=True)
        parts.append(memory)
    if args.gunicorn_texts:
        served = gunicorn_memory_table(args.gunicorn_texts, args.memory_words)
        print(served, flush=True)
        parts.append(served)
    if args.sizes:
        timing = time_table([int(kb) for kb in args.sizes.split(",")], args.rounds)
        print(timing, flush=True)
        parts.insert(0, "Seconds to analyse one text, and the ratio to real news of the same size:\n\n" + timing)
    if args.write:
        write_section("hostile_input", "Hostile input (bench/hostile_input.py)", "\n\n".join(parts))


if __name__ == "__main__":
    main()
