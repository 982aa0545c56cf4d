"""Cold start: one sentence through `sourcewise analyze` in a fresh process, and a web worker's memory after new words.

Run: python -m bench.cold_start [--runs 5]
Times the CLI end to end (interpreter start to exit) on a one-sentence file, as a user would run it. PyTorch is
hidden from the child when it is installed: it belongs to the training extra, never to a served install, and thinc
imports it on sight (about 1.5 s here). Prints a Markdown table (median and range of the runs, peak RSS).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section

SENTENCE = "Officials say the bridge may reopen next week, but 40 people were hurt on Tuesday.\n"
CHILD = "import sys; sys.modules['torch'] = None\nfrom service.cli import main\nraise SystemExit(main(['analyze', sys.argv[1], '--color', 'never']))\n"


def one_run(path: Path) -> tuple[float, int]:
    """Seconds and peak RSS (KB) of one fresh `sourcewise analyze FILE`."""
    started = time.perf_counter()
    completed = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    return elapsed, int(completed.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.txt"
        path.write_text(SENTENCE, encoding="utf-8")
        runs = [one_run(path) for _ in range(args.runs)]
    seconds = [s for s, _ in runs]
    table = "\n".join([
        "| measure | median | min | max | peak RSS | target |",
        "|---|---|---|---|---|---|",
        f"| `sourcewise analyze one.txt`, cold (one sentence, {args.runs} runs) | {statistics.median(seconds):.2f} s | {min(seconds):.2f} s | "
        f"{max(seconds):.2f} s | {max(kb for _, kb in runs) / 1024:.0f} MB | ≤ 3 s |",
    ])
    print(table)
    write_section("cold_start", "Cold start (#15)", table)


if __name__ == "__main__":
    main()
