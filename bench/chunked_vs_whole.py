"""Chunked (the definition, #16) against whole-Doc analysis on the judged articles: how often they differ.

Run ``python -m bench.chunked_vs_whole [--data ../shared]``. Prints, per source, the articles, chunks and
sentences, and the sentences whose text, offsets, labels or cues differ between the two.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from service.engine.analysis import analyze, analyze_whole
from service.engine.chunking import chunk_spans
from service.reader_eval import DEFAULT_JUDGED, load_articles, read_judged

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def comparable(result: dict) -> list[tuple]:
    """What must be the same: each sentence's offsets, text, labels and cues (and source)."""
    return [(s["start"], s["end"], s["text"], tuple(s["labels"]), tuple((c["start"], c["end"], c["kind"], c["type"]) for c in s["cues"]),
             None if s["source"] is None else (s["source"]["start"], s["source"]["end"], s["source"]["kind"])) for s in result["sentences"]]


def articles(data: Path) -> dict[str, dict[str, str]]:
    rows = read_judged(DEFAULT_JUDGED)
    found, skipped = load_articles(rows, ("pages", "polnear_dev"), ROOT / "tests" / "pages", data)
    for note in skipped:
        print(note, file=sys.stderr)
    grouped: dict[str, dict[str, str]] = {"seed": {"seed_article": (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")}}
    for (source, name), text in found.items():
        grouped.setdefault(source, {})[name] = text
    return grouped


def differences(text: str, offsets: str = "codepoint") -> tuple[int, int, list[tuple]]:
    chunked, whole = comparable(analyze(text, offsets)), comparable(analyze_whole(text, offsets))
    differing = sorted(set(chunked) ^ set(whole))
    return len(chunk_spans(text)), max(len(chunked), len(whole)), differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--show", action="store_true", help="print the differing sentences")
    args = parser.parse_args(argv)
    print(f"{'source':12} {'articles':>8} {'chunks':>7} {'sentences':>9} {'differ':>7} {'articles differing':>18}")
    for source, texts in articles(args.data).items():
        totals = [0, 0, 0, 0]
        for name, text in texts.items():
            chunks, sentences, differing = differences(text)
            totals[0] += chunks
            totals[1] += sentences
            totals[2] += len(differing)
            totals[3] += bool(differing)
            if args.show:
                for row in differing:
                    print(f"  {name}: {row}")
        print(f"{source:12} {len(texts):8} {totals[0]:7} {totals[1]:9} {totals[2]:7} {totals[3]:18}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
