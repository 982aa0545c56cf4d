"""What a reader is shown as a sentence's source, on reader-judged articles (#17).

    python -m bench.explanation_sources [--articles 150] [--data ../shared] [--show 20]

Analyses an evenly spread sample of ``data/reader/reader_train_articles.jsonl`` with the engine and
prints a table of the sources shown (the API's ``source`` objects): how many are a bare personal pronoun
("he", "it", "we") with nothing it refers to (``refers_to`` null), how many are a pronoun shown with what it
refers to, how many are another pronoun that names a group itself ("some believe", "many say"), how
many are not noun phrases at all (the phrase's head, parsed in its sentence, is no noun, proper noun,
pronoun or number), and how many explanations still quote a bare third-person pronoun; then, per pronoun, how
many are shown with what they refer to and how many bare.
``--show N`` lists N examples of each kind of fault.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from service.engine.analysis import result_for
from service.engine.pipeline import get_nlp, model_version

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared"
NOUN_HEADS = {"NOUN", "PROPN", "PRON", "NUM"}
PERSONAL = {"he", "she", "him", "her", "they", "them", "it", "i", "me", "we", "us", "you"}
PRONOUN_GROUPS = {"he": "he/him", "him": "he/him", "she": "she/her", "her": "she/her", "it": "it", "they": "they/them", "them": "they/them",
                  "i": "I/we", "me": "I/we", "we": "I/we", "us": "I/we", "you": "you"}
BARE_PRONOUN_QUOTED = re.compile(r"(?:[Aa]ttributed to|speculation is) (?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|him|her|them)\b|\('\w+'\)'s")


def sample(path: Path, count: int) -> list[dict]:
    """``count`` articles spread evenly through the file (it is ordered by corpus, then by id)."""
    articles = [json.loads(line) for line in path.open(encoding="utf-8")]
    step = len(articles) / min(count, len(articles))
    return [articles[int(i * step)] for i in range(min(count, len(articles)))]


def measure(articles: list[dict], show: int) -> tuple[Counter, dict[str, list[str]]]:
    nlp = get_nlp()
    version = model_version()
    counts: Counter = Counter()
    examples: dict[str, list[str]] = {"bare pronoun": [], "not a noun phrase": [], "bare pronoun in explanation": []}
    examples.update({f"{group} → refers_to": [] for group in dict.fromkeys(PRONOUN_GROUPS.values())})
    for article in articles:
        doc = nlp(article["text"])
        result = result_for(doc, "codepoint", version)
        counts["articles"] += 1
        for sentence in result["sentences"]:
            counts["sentences"] += 1
            source = sentence["source"]
            if BARE_PRONOUN_QUOTED.search(sentence["explanation"]):
                counts["bare pronoun in explanation"] += 1
                examples["bare pronoun in explanation"].append(sentence["explanation"])
            if source is None:
                continue
            counts["sources shown"] += 1
            span = doc.char_span(source["start"], source["end"], alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            head = span.root
            line = f"{source['text']!r} in {sentence['text'][:140]!r}"
            if len(span) == 1 and head.pos_ == "PRON":
                group = PRONOUN_GROUPS.get(head.lower_)
                if source.get("refers_to"):
                    counts["pronoun with refers_to"] += 1
                    counts[("resolved", group)] += 1
                    examples[f"{group} → refers_to"].append(f"{source['text']!r} → {source['refers_to']!r} in {sentence['text'][:120]!r}")
                elif head.lower_ in PERSONAL:
                    counts["bare pronoun"] += 1
                    counts[("unresolved", group)] += 1
                    examples["bare pronoun"].append(line)
                else:
                    counts["other pronoun (some, many, others)"] += 1
            if head.pos_ not in NOUN_HEADS:
                counts["not a noun phrase"] += 1
                examples["not a noun phrase"].append(f"{line} (head {head.text!r} {head.pos_})")
    return counts, {kind: found[:show] for kind, found in examples.items()}


def table(counts: Counter) -> str:
    shown = counts["sources shown"] or 1
    rows = [
        f"{counts['articles']} articles, {counts['sentences']} sentences, {counts['sources shown']} sources shown",
        "",
        "| sources shown that are | count | share |",
        "|---|---|---|",
    ]
    for kind in ("bare pronoun", "pronoun with refers_to", "other pronoun (some, many, others)", "not a noun phrase"):
        rows.append(f"| {kind} | {counts[kind]} | {100 * counts[kind] / shown:.1f} % |")
    rows.append(f"| (explanations quoting a bare pronoun as the source) | {counts['bare pronoun in explanation']} | |")
    rows += ["", "| pronoun source | with refers_to | bare (unresolved) |", "|---|---|---|"]
    for group in dict.fromkeys(PRONOUN_GROUPS.values()):
        rows.append(f"| {group} | {counts[('resolved', group)]} | {counts[('unresolved', group)]} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=150)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared/ folder")
    parser.add_argument("--show", type=int, default=0, help="list this many examples of each fault")
    args = parser.parse_args()
    counts, examples = measure(sample(args.data / "data/reader/reader_train_articles.jsonl", args.articles), args.show)
    print(table(counts))
    for kind, found in examples.items():
        if found:
            print(f"\n{kind}:")
            print("\n".join(f"  {line}" for line in found))


if __name__ == "__main__":
    main()
