"""Peers on the same texts, for the record: proselint (PyPI) and write-good (npm) next to Sourcewise.

Run: python -m bench.peers   (needs `pip install proselint` and `npm install` in bench/node)
Texts: the FactBank news dev sentences (the corpus marks which are uncertain). For each tool: time per
1 000 words, and the share of uncertain / certain sentences it flags at all (a linter is not built for
this task; the point is what a reader would get from it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.report import write_section
from service.engine import analyze_many

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parent.parent / "shared" / "data"


def sentences() -> list[dict]:
    with (SHARED / "uncertainty/factbank_news_dev.jsonl").open(encoding="utf-8") as handle:
        return [{"text": " ".join(json.loads(line)["text"].split()), "uncertain": json.loads(line)["uncertain"]} for line in handle]


def sourcewise_flags(texts: list[str]) -> list[bool]:
    return [any(s["labels"] for s in result["sentences"]) for result in analyze_many(texts)]


def sourcewise_speculative(texts: list[str]) -> list[bool]:
    return [any("speculative" in s["labels"] for s in result["sentences"]) for result in analyze_many(texts)]


def proselint_flags(texts: list[str]) -> list[bool]:
    binary = shutil.which("proselint") or str(Path(sys.executable).parent / "proselint")
    joined = "\n".join(texts)
    output = subprocess.run([binary, "check", "-o", "json"], input=joined, capture_output=True, text=True).stdout
    flagged = [False] * len(texts)
    for result in json.loads(output)["result"].values():
        for diagnostic in result.get("diagnostics", []):
            line = diagnostic["pos"][0] - 1  # 1-based line numbers
            if 0 <= line < len(texts):
                flagged[line] = True
    return flagged


def write_good_flags(texts: list[str]) -> list[bool]:
    payload = "".join(json.dumps({"text": text}) + "\n" for text in texts)
    output = subprocess.run(["node", str(ROOT / "node" / "write_good.cjs")], input=payload, capture_output=True, text=True, check=True).stdout
    return [bool(json.loads(line)["flags"]) for line in output.splitlines()]


def main() -> None:
    rows = sentences()
    texts = [row["text"] for row in rows]
    words = sum(len(text.split()) for text in texts)
    list(analyze_many(texts[:2]))  # load the model first
    tools = [
        ("Sourcewise: speculative label", sourcewise_speculative),
        ("Sourcewise: any label", sourcewise_flags),
        ("proselint 0.16", proselint_flags),
        ("write-good 1.0", write_good_flags),
    ]
    lines = [f"FactBank news dev: {len(rows)} sentences, {words} words, {sum(r['uncertain'] for r in rows)} marked uncertain.", "",
             "| tool | ms per 1 000 words | uncertain sentences flagged | certain sentences flagged |", "|---|---|---|---|"]
    uncertain = [row["uncertain"] for row in rows]
    for name, run in tools:
        started = time.perf_counter()
        flags = run(texts)
        elapsed = time.perf_counter() - started
        hit = sum(f and u for f, u in zip(flags, uncertain)) / max(1, sum(uncertain))
        false = sum(f and not u for f, u in zip(flags, uncertain)) / max(1, len(rows) - sum(uncertain))
        lines.append(f"| {name} | {elapsed * 1000 / words * 1000:.0f} | {hit:.1%} | {false:.1%} |")
    lines += ["", "proselint and write-good flag style (passive voice, weasel words, clichés), not sourcing; "
              "Sourcewise's 'any label' also counts unsourced claims and attributions, which most news sentences carry."]
    table = "\n".join(lines)
    print(table)
    if "--no-write" not in sys.argv:
        write_section("peers", "Peers on the same texts", table)


if __name__ == "__main__":
    main()
