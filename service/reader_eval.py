"""Reader-judged accuracy: the engine scored on sentences careful readers judged (issue #9).

Each judged sentence is scored as the product meets it: its whole article is analysed once, and the
sentence gets the union of the labels of the result sentences that cover it. Articles come from the
six saved pages (``tests/pages/<page>/expected.html`` as text, blocks separated by a blank line, as
the extension sends them) and from PolNeAR dev (its sentences joined by one space; needs the corpus).

Run ``python -m service.reader_eval [--source pages|polnear_dev|all] [--dump rows.json]``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_JUDGED = REPO / "tests/fixtures/real_news_judged_dev.jsonl"
DEFAULT_PAGES = REPO / "tests/pages"
DEFAULT_DATA = REPO.parent / "shared"
POLNEAR_DEV = Path("data/attribution/polnear_dev.jsonl")
SOURCES = ("pages", "polnear_dev")
LABELS = ("speculative", "vague_source", "sourced", "unsourced")
DOUBT_LABELS = ("speculative", "vague_source", "unsourced")
BLOCK_SEPARATOR = "\n\n"
# Targets from issue #9: (F1, precision) per label; the clean-flag rate at most 10 %.
TARGETS = {"speculative": (0.85, 0.80), "vague_source": (0.80, 0.80), "sourced": (0.85, 0.80), "unsourced": (0.80, 0.80)}
CLEAN_FLAG_TARGET = 0.10
BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")  # HTML white space; a no-break space stays

Analyse = Callable[[Iterable[str]], Iterator[dict]]

# ---------------------------------------------------------------------------------------------
# Article text


BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote section article main td th tr table thead tbody tfoot "
    "caption figcaption figure pre dd dt dl hr header footer aside nav address".split()
)
SKIPPED_TAGS = frozenset("script style noscript template svg iframe button select textarea".split())


class _BlockText(HTMLParser):
    """Collects an HTML fragment's text block by block (whitespace inside a block collapsed)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skipping = 0

    def _flush(self) -> None:
        block = "".join(self._current)
        block = "\n".join(_WHITESPACE.sub(" ", line).strip() for line in block.split("\n"))
        if block.strip():
            self.blocks.append(block.strip())
        self._current = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        elif tag in BLOCK_TAGS:
            self._flush()
        elif tag == "br":
            self._current.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current.append(data.replace("\n", " "))

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(html: str) -> str:
    """The text of an HTML fragment: one block (p, h1-6, li, blockquote, figcaption, td…) per paragraph, blank lines between."""
    parser = _BlockText()
    parser.feed(html)
    parser.close()
    return BLOCK_SEPARATOR.join(parser.blocks)


def page_article(pages_dir: Path, page: str) -> str:
    """A saved page's article text as the extension sends it."""
    return html_to_text((pages_dir / page / "expected.html").read_text(encoding="utf-8"))


def polnear_articles(path: Path, names: set[str]) -> dict[str, str]:
    """The named PolNeAR articles: their sentences joined by one space, in order."""
    sentences: dict[str, list[str]] = {name: [] for name in names}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if row["article"] in sentences:
                    sentences[row["article"]].append(row["text"])
    return {name: " ".join(parts) for name, parts in sentences.items() if parts}


# ---------------------------------------------------------------------------------------------
# Locating and scoring


def locate(article: str, sentence: str) -> tuple[int, int] | None:
    """The sentence's (start, end) in the article, matching with whitespace runs treated as equal; None if absent."""
    words = sentence.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(word) for word in words)
    found = re.search(pattern, article)
    return (found.start(), found.end()) if found else None


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where undefined)."""
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class LabelScore:
    """One label's row: precision, recall, F1 over ``n`` judged sentences, ``positives`` of them gold."""

    label: str
    n: int
    positives: int
    precision: float
    recall: float
    f1: float

    @property
    def met(self) -> bool:
        f1_target, p_target = TARGETS[self.label]
        return self.f1 >= f1_target and self.precision >= p_target


@dataclass
class ReaderScores:
    """The reader-judged table plus what was left out and why."""

    labels: list[LabelScore]
    clean_n: int
    clean_flagged: int
    blank_line_sentences: int
    articles: int
    rows: int
    unmatched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    dump: list[dict] = field(default_factory=list)

    @property
    def clean_flag_rate(self) -> float:
        return self.clean_flagged / self.clean_n if self.clean_n else 0.0


def read_judged(path: Path = DEFAULT_JUDGED) -> list[dict]:
    """The judged rows (JSON Lines)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_articles(rows: list[dict], sources: Iterable[str], pages_dir: Path, data_dir: Path) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Article text per (source, page) for the wanted sources, and a note for each source left out."""
    articles: dict[tuple[str, str], str] = {}
    skipped = []
    wanted = set(sources)
    if "pages" in wanted:
        for page in sorted({row["page"] for row in rows if row["source"] == "pages"}):
            articles[("pages", page)] = page_article(pages_dir, page)
    if "polnear_dev" in wanted:
        corpus = data_dir / POLNEAR_DEV
        names = {row["page"] for row in rows if row["source"] == "polnear_dev"}
        if corpus.is_file():
            articles.update({("polnear_dev", name): text for name, text in polnear_articles(corpus, names).items()})
        elif names:
            skipped.append(f"polnear_dev rows skipped: {corpus} not found (the PolNeAR corpus is not in the repo)")
    return articles, skipped


def score(rows: list[dict], articles: dict[tuple[str, str], str], analyse: Analyse, keep_dump: bool = False) -> ReaderScores:
    """Score the judged rows whose article is given, analysing each article once with ``analyse``."""
    keys = list(articles)
    results = dict(zip(keys, analyse(articles[key] for key in keys)))
    counts = {label: [0, 0, 0, 0, 0] for label in LABELS}  # tp, fp, fn, n, positives
    clean_n = clean_flagged = 0
    unmatched: list[str] = []
    dump: list[dict] = []
    used_rows = 0
    for row in rows:
        key = (row["source"], row["page"])
        if key not in results:
            continue
        used_rows += 1
        span = locate(articles[key], row["sentence"])
        if span is None:
            unmatched.append(row["id"])
            continue
        covering = [s for s in results[key]["sentences"] if s["start"] < span[1] and span[0] < s["end"]]
        predicted = {label for s in covering for label in s["labels"]}
        gold = row["labels"]
        for label in LABELS:
            if gold.get(label) is None:
                continue
            tally = counts[label]
            is_gold, is_predicted = bool(gold[label]), label in predicted
            tally[0] += is_gold and is_predicted
            tally[1] += is_predicted and not is_gold
            tally[2] += is_gold and not is_predicted
            tally[3] += 1
            tally[4] += is_gold
        if all(gold.get(label) == 0 for label in DOUBT_LABELS):
            clean_n += 1
            clean_flagged += any(label in predicted for label in DOUBT_LABELS)
        if keep_dump:
            dump.append({
                "id": row["id"], "source": row["source"], "sentence": row["sentence"], "gold": gold,
                "predicted": sorted(predicted),
                "wrong": sorted(label for label in LABELS if gold.get(label) is not None and bool(gold[label]) != (label in predicted)),
                "covering": [{"text": s["text"], "labels": s["labels"], "claim": s["claim"], "explanation": s["explanation"],
                              "cues": [c["text"] for c in s["cues"]], "source": s["source"]["text"] if s["source"] else None}
                             for s in covering],
            })
    labels = [LabelScore(label, n, positives, *prf(tp, fp, fn)) for label, (tp, fp, fn, n, positives) in counts.items()]
    blank = sum(bool(BLANK_LINE.search(s["text"])) for result in results.values() for s in result["sentences"])
    return ReaderScores(labels, clean_n, clean_flagged, blank, len(results), used_rows, unmatched, dump=dump)


def evaluate_reader(
    data_dir: Path = DEFAULT_DATA, sources: Iterable[str] = SOURCES, judged: Path = DEFAULT_JUDGED,
    pages_dir: Path = DEFAULT_PAGES, analyse: Analyse | None = None, keep_dump: bool = False, limit: int | None = None,
) -> ReaderScores:
    """The reader-judged scores for the chosen sources (polnear_dev skipped, with a note, when the corpus is absent).

    ``limit`` scores only the first N judged rows (a smoke run, not a measurement).
    """
    if analyse is None:
        from .engine import analyze_many

        analyse = analyze_many
    rows = read_judged(judged)[:limit] if limit else read_judged(judged)
    articles, skipped = load_articles(rows, sources, pages_dir, data_dir)
    scores = score(rows, articles, analyse, keep_dump)
    scores.skipped = skipped
    return scores


def format_reader_table(scores: ReaderScores) -> str:
    """A Markdown table of the reader-judged scores, with the clean-flag rate and blank-line count below."""
    lines = ["Reader-judged sentences (real_news_judged_dev):", "",
             "| label | n | gold | P | R | F1 | target | met |", "|---|---|---|---|---|---|---|---|"]
    for s in scores.labels:
        f1_target, p_target = TARGETS[s.label]
        lines.append(f"| {s.label} | {s.n} | {s.positives} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                     f"F1 ≥ {f1_target}, P ≥ {p_target} | {'yes' if s.met else 'no'} |")
    rate = scores.clean_flag_rate
    lines.append("")
    lines.append(f"clean-flag rate: {rate:.1%} of {scores.clean_n} sentences readers judge clean carry a doubt label "
                 f"(target ≤ {CLEAN_FLAG_TARGET:.0%}: {'met' if scores.clean_n and rate <= CLEAN_FLAG_TARGET else 'not met'})")
    lines.append(f"result sentences containing a blank line: {scores.blank_line_sentences} in {scores.articles} articles "
                 f"(target 0: {'met' if scores.blank_line_sentences == 0 else 'not met'})")
    lines.append(f"judged sentences scored: {scores.rows - len(scores.unmatched)} of {scores.rows}"
                 + (f" ({len(scores.unmatched)} not found in their article: {', '.join(scores.unmatched[:5])})" if scores.unmatched else ""))
    lines += scores.skipped
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.reader_eval", description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=[*SOURCES, "all"], default="all", help="which judged rows to score")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/ folder (for the PolNeAR corpus)")
    parser.add_argument("--judged", type=Path, default=DEFAULT_JUDGED, help="the judged JSON Lines file")
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES, help="folder of saved pages (NAME/expected.html)")
    parser.add_argument("--dump", metavar="FILE", help="write every scored row (gold, predicted, covering sentences) as JSON")
    args = parser.parse_args(argv)
    sources = SOURCES if args.source == "all" else (args.source,)
    scores = evaluate_reader(args.data, sources, args.judged, args.pages, keep_dump=bool(args.dump))
    print(format_reader_table(scores))
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as handle:
            json.dump(scores.dump, handle, ensure_ascii=False, indent=1)
        print(f"wrote {len(scores.dump)} rows to {args.dump}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
