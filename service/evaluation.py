"""Accuracy against the labelled corpora in ../shared (held-out splits only)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language

from .engine import analyze_many
from .engine.analysis import SentenceFindings, sentence_findings
from .engine.pipeline import build_pipeline, get_nlp, load_base_model

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared"
DEV_SHARE = 5  # one document in five is held out


@dataclass(frozen=True)
class Needed:
    """A file the accuracy table reads from the data folder, and where it comes from."""

    row: str
    path: str
    what: str
    origin: str


NEEDED = (
    Needed("speculative, wiki_train", "data/uncertainty/wiki_train.jsonl",
           "Szeged Uncertainty Corpus, Wikipedia part (CoNLL-2010 shared task)", "Szarvas et al. 2012; Farkas et al. 2010"),
    Needed("speculative, factbank_news_dev", "data/uncertainty/factbank_news_dev.jsonl",
           "FactBank newswire sentences with the Szeged uncertainty cues", "Saurí & Pustejovsky 2009; Szarvas et al. 2012"),
    Needed("attribution, polnear_dev", "data/attribution/polnear_dev.jsonl",
           "PolNeAR, the political news attribution corpus (dev split)", "Newell, Margolin & Ruths, LREC 2018"),
    Needed("claim, claimbuster_train", "data/checkworthy/claimbuster_train.jsonl",
           "ClaimBuster check-worthy debate sentences", "Arslan et al., ICWSM 2020"),
    Needed("seed article", "fixtures/seed_article.json",
           "the seed article with a reader's judgement", "this repository, tests/fixtures/seed_article.json"),
)


def missing_data(data_dir: Path) -> list[Needed]:
    """The files of the accuracy table that ``data_dir`` lacks (the corpora are public but not shipped)."""
    return [needed for needed in NEEDED if not (data_dir / needed.path).is_file()]


def missing_data_message(data_dir: Path, missing: list[Needed]) -> str:
    """Which row needs which corpus, where it comes from, and how to point ``--data`` at it."""
    lines = [f"sourcewise evaluate: the accuracy table needs labelled corpora that are not shipped; missing in {data_dir}:"]
    lines += [f"  {n.row}: {n.path} — {n.what} ({n.origin})" for n in missing]
    lines.append("Put them, as JSON Lines with one sentence a line (the layout of the project's shared/ folder), in a folder "
                 "with data/ and fixtures/, then run: sourcewise evaluate --data FOLDER (or set SOURCEWISE_DATA=FOLDER).")
    return "\n".join(lines)


def held_out(key: str) -> bool:
    """The stable dev split: documents whose id hashes to 0 mod 5 (never used to build rules or weights)."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16) % DEV_SHARE == 0


def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    """The rows of a JSON Lines file (the first ``limit`` only, when given)."""
    with path.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return rows[:limit] if limit else rows


@dataclass(frozen=True)
class Score:
    """A row of the accuracy table."""

    task: str
    data: str
    n: int
    precision: float
    recall: float
    f1: float
    target: str
    met: bool
    extra: str = ""


def prf(pairs: Iterable[tuple[bool, bool]]) -> tuple[float, float, float, int]:
    """Precision, recall, F1 and count over (gold, predicted) pairs."""
    tp = fp = fn = n = 0
    for gold, predicted in pairs:
        n += 1
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, n


def _results(rows: list[dict], nlp: Language | None = None) -> Iterator[tuple[dict, dict]]:
    return zip(rows, analyze_many((row["text"] for row in rows), batch_size=64, nlp=nlp))


@lru_cache(maxsize=1)
def corpus_scheme_pipeline() -> Language:
    """The finders without the reader guide's own speculation rules (announced future events, a bare reported
    "would", "plans to", "is set to", questions): the Szeged uncertainty scheme of the speculation corpora
    annotates those as certain, so this pipeline scores the cue finder on the corpora's own terms."""
    return build_pipeline(load_base_model(), speculation_config={"reader_rules": False})


def _has_label(result: dict, label: str) -> bool:
    return any(label in sentence["labels"] for sentence in result["sentences"])


def _findings(texts: Iterable[str], nlp: Language | None = None) -> Iterator[list[SentenceFindings]]:
    """What the finders state for each text (cues, attributions), before any label is decided."""
    for doc in (nlp or get_nlp()).pipe(texts, batch_size=64):
        yield [found for found in sentence_findings(doc) if found.kind is None]


def evaluate_speculation(
    path: Path, name: str, select: Callable[[dict], bool], f1_target: float, p_target: float | None, limit: int | None = None,
    finders: bool = False,
) -> Score:
    """The shipped engine's speculative label against the corpus; ``finders`` scores the speculation cue finder
    instead (a sentence holds a cue, on the corpus's scheme: see :func:`corpus_scheme_pipeline`)."""
    rows = [row for row in read_jsonl(path, limit) if select(row)]
    if finders:
        found = _findings((row["text"] for row in rows), corpus_scheme_pipeline())
        pairs = ((row["uncertain"], any(f.cues for f in sentences)) for row, sentences in zip(rows, found))
    else:
        pairs = ((row["uncertain"], _has_label(result, "speculative")) for row, result in _results(rows))
    p, r, f, n = prf(pairs)
    met = f >= f1_target and (p_target is None or p >= p_target)
    target = f"F1 ≥ {f1_target}" + (f", P ≥ {p_target}" if p_target else "")
    task = "speculation cues (finder)" if finders else "speculative"
    note = "a sentence holds a cue; reader-only rules off (the corpus calls predictions and questions certain)" if finders else "the learned label"
    return Score(task, name, n, p, r, f, target, met, note)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _articles(rows: list[dict]) -> list[tuple[str, list[tuple[int, dict]]]]:
    """Rows joined back into their articles (in order), with each row's offset in the article text."""
    articles: list[tuple[str, list[tuple[int, dict]]]] = []
    current: list[tuple[int, dict]] = []
    text, name = "", None
    for row in rows:
        if row["article"] != name and current:
            articles.append((text, current))
            current, text = [], ""
        name = row["article"]
        if text:
            text += " "
        current.append((len(text), row))
        text += row["text"]
    if current:
        articles.append((text, current))
    return articles


def evaluate_attribution(path: Path, limit: int | None = None, finders: bool = False) -> Score:
    """Per sentence, as the product sees it: each article is analysed whole, so quotes and speakers carry over.

    ``finders`` scores the attribution finder instead: any attribution it found, and its source phrases, whatever
    the labels say."""
    articles = _articles(read_jsonl(path, limit))
    pairs, with_source, source_hits = [], 0, 0
    texts = [article for article, _ in articles]
    shown = _findings(texts) if finders else analyze_many(texts)
    for (_, rows), result in zip(articles, shown):
        sentences = _finder_sentences(result) if finders else result["sentences"]
        for offset, row in rows:
            span = (offset, offset + len(row["text"]))
            found = [s for s in sentences if _overlaps((s["start"], s["end"]), span)]
            sources = [x for s in found for x in s.get("sources", [s["source"]] if s["source"] else [])]
            pairs.append((row["has_attribution"], bool(sources) or any("vague_source" in s["labels"] for s in found)))
            gold_sources = [(offset + start, offset + end) for start, end, kind, _ in row["spans"] if kind == "Source"]
            if gold_sources:
                with_source += 1
                source_hits += any(_overlaps((s["start"], s["end"]), g) for s in sources for g in gold_sources)
    p, r, f, n = prf(pairs)
    overlap = source_hits / with_source if with_source else 0.0
    task = "attribution (finder)" if finders else "attribution"
    note = "any attribution found, " if finders else "sourced / vague_source labels and their sources, "
    return Score(task, f"{path.name} (whole articles)", n, p, r, f, "F1 ≥ 0.9, source overlap ≥ 0.85",
                 f >= 0.9 and overlap >= 0.85, f"{note}source overlap {overlap:.3f} of {with_source}")


def _finder_sentences(findings: list[SentenceFindings]) -> list[dict]:
    """Finder output in the shape of result sentences: every attribution (vague ones as a label), sources as spans."""
    out = []
    for found in findings:
        sources = [{"start": a.source.start_char, "end": a.source.end_char} for a in found.relations if a.source is not None]
        vague = any(a.kind == "vague" for a in found.relations)
        out.append({"start": found.span.start_char, "end": found.span.end_char, "source": sources[0] if sources else None,
                    "labels": ["vague_source"] if vague else [], "sources": sources})
    return out


def evaluate_claims(path: Path, limit: int | None = None) -> Score:
    rows = [row for row in read_jsonl(path, limit) if held_out(str(row["sentence_id"]))]
    p, r, f, n = prf((row["checkworthy"], any(s["claim"] for s in result["sentences"])) for row, result in _results(rows))
    return Score("claim", f"{path.name} (dev split)", n, p, r, f, "F1 ≥ 0.8", f >= 0.8)


def seed_failures(fixture: dict, result: dict) -> list[str]:
    """Every way the result disagrees with the reader's judgement in the seed fixture."""
    failures = []
    sentences = result["sentences"]
    for gold in fixture["sentences"]:
        found = [s for s in sentences if _overlaps((s["start"], s["end"]), (gold["start"], gold["end"]))]
        labels = {label for s in found for label in s["labels"]}
        spans = [(c["start"], c["end"]) for s in found for c in s["cues"]]
        spans += [(s["source"]["start"], s["source"]["end"]) for s in found if s["source"]]
        name = gold["text"][:50]
        failures += [f"{name!r}: missing {label}" for label in gold["must"] if label not in labels]
        failures += [f"{name!r}: must not be {label}" for label in gold["must_not"] if label in labels]
        failures += [f"{name!r}: cue {cue['text']!r} not found" for cue in gold["cues"]
                     if not any(_overlaps(span, (cue["start"], cue["end"])) for span in spans)]
    return failures


def evaluate_seed(path: Path) -> Score:
    fixture = json.loads(path.read_text(encoding="utf-8"))
    result = next(analyze_many([fixture["text"]]))
    failures = seed_failures(fixture, result)
    checks = sum(len(s["must"]) + len(s["must_not"]) + len(s["cues"]) for s in fixture["sentences"])
    passed = (checks - len(failures)) / checks
    return Score("seed article", path.name, len(fixture["sentences"]), passed, passed, passed, "all checks", not failures,
                 "; ".join(failures[:3]))


def evaluate_all(data_dir: Path = DEFAULT_DATA, limit: int | None = None) -> list[Score]:
    """Every row of the accuracy table; ``limit`` reads only the first N rows of each corpus (a smoke run, not a measurement)."""
    data = data_dir / "data"
    wiki, wiki_held_out = data / "uncertainty/wiki_train.jsonl", lambda row: held_out(row["doc_id"])
    factbank = data / "uncertainty/factbank_news_dev.jsonl"
    return [
        evaluate_speculation(wiki, "wiki_train (held-out docs)", wiki_held_out, 0.90, 0.88, limit),
        evaluate_speculation(wiki, "wiki_train (held-out docs)", wiki_held_out, 0.90, 0.88, limit, finders=True),
        evaluate_speculation(factbank, "factbank_news_dev", lambda row: True, 0.85, None, limit),
        evaluate_speculation(factbank, "factbank_news_dev", lambda row: True, 0.85, None, limit, finders=True),
        evaluate_attribution(data / "attribution/polnear_dev.jsonl", limit),
        evaluate_attribution(data / "attribution/polnear_dev.jsonl", limit, finders=True),
        evaluate_claims(data / "checkworthy/claimbuster_train.jsonl", limit),
        evaluate_seed(data_dir / "fixtures/seed_article.json"),
    ]


def format_table(scores: list[Score]) -> str:
    """A Markdown table of the scores."""
    lines = ["| task | data | n | P | R | F1 | target | met | notes |", "|---|---|---|---|---|---|---|---|---|"]
    for s in scores:
        lines.append(f"| {s.task} | {s.data} | {s.n} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.target} | "
                     f"{'yes' if s.met else 'no'} | {s.extra} |")
    return "\n".join(lines)
