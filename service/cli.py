"""The ``sourcewise`` command: analyze, evaluate, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LABEL_COLORS = {"speculative": "33", "vague_source": "35", "unsourced": "31", "sourced": "32"}
CUE_STYLE = "1;4"
PROGRESS_EVERY = 100


def _color(text: str, code: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled and text else text


def render_terminal(text: str, result: dict, color: bool) -> str:
    """The article with colored sentences and bold cues, then a legend and each flagged sentence's explanation."""
    out, pos = [], 0
    for sentence in result["sentences"]:
        out.append(text[pos : sentence["start"]])
        code = LABEL_COLORS.get(sentence["labels"][0], "0") if sentence["labels"] else "0"
        inner = sentence["start"]
        for cue in sentence["cues"]:
            out.append(_color(text[inner : cue["start"]], code, color and bool(sentence["labels"])))
            out.append(_color(text[cue["start"] : cue["end"]], f"{CUE_STYLE};{code}", color))
            inner = cue["end"]
        out.append(_color(text[inner : sentence["end"]], code, color and bool(sentence["labels"])))
        pos = sentence["end"]
    out.append(text[pos:])
    legend = "  ".join(_color(label, code, color) for label, code in LABEL_COLORS.items())
    lines = ["".join(out).rstrip(), "", "Legend: " + legend + "  (cue words underlined)", ""]
    for number, sentence in enumerate(result["sentences"], 1):
        if sentence["labels"]:
            lines.append(f"[{number}] {', '.join(sentence['labels'])} (score {sentence['score']:.2f}): {sentence['explanation']}")
    summary = result["summary"]
    lines.append("")
    lines.append(", ".join(f"{key}: {value}" for key, value in summary.items()))
    return "\n".join(lines)


def _open_in(path: str) -> IO[str]:
    return sys.stdin if path == "-" else open(path, encoding="utf-8")


def _open_out(path: str) -> IO[str]:
    return sys.stdout if path == "-" else open(path, "w", encoding="utf-8")


def _jsonl_records(handle: IO[str]) -> Iterator[dict]:
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"line {number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise SystemExit(f"line {number}: expected an object with a string 'text'")
        yield record


def run_jsonl(in_path: str, out_path: str, offsets: str, jobs: int | None = None) -> int:
    """Batch mode: one result line per input line, same order, ids carried over; on ``jobs`` processes (default: the cores)."""
    from .parallel import analyze_parallel

    with _open_in(in_path) as source:
        records = list(_jsonl_records(source))
    texts = (record["text"] for record in records)
    out = _open_out(out_path)
    try:
        for count, (record, result) in enumerate(zip(records, analyze_parallel(texts, offsets=offsets, jobs=jobs)), 1):
            out.write(json.dumps({"id": record.get("id"), **result}, ensure_ascii=False) + "\n")
            if count % PROGRESS_EVERY == 0 or count == len(records):
                print(f"\ranalysed {count}/{len(records)}", end="", file=sys.stderr, flush=True)
    finally:
        if out is not sys.stdout:
            out.close()
    if records:
        print(file=sys.stderr)
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from .engine import analyze

    if args.jsonl:
        return run_jsonl(args.jsonl, args.out or "-", args.offsets, args.jobs)
    if not args.file:
        raise SystemExit("sourcewise analyze: give a FILE (or - for stdin), or --jsonl IN")
    with _open_in(args.file) as handle:
        text = handle.read()
    result = analyze(text, offsets=args.offsets)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if args.color == "auto" else args.color == "always"
        print(render_terminal(text, result, color))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_all, format_table, missing_data, missing_data_message
    from .reader_eval import evaluate_reader, format_reader_table

    # The reader-judged rows from the six saved pages need no corpus, so they always run.
    print(format_reader_table(evaluate_reader(Path(args.data), limit=args.limit)), end="\n\n", flush=True)
    missing = missing_data(Path(args.data))
    if missing:
        print(missing_data_message(Path(args.data), missing), file=sys.stderr)
        return 2
    print(format_table(evaluate_all(Path(args.data), limit=args.limit)))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.setdefault("WEB_CONCURRENCY", str(args.workers))
    argv = ["gunicorn", "-c", "python:service.web.gunicorn_conf", "--bind", f"{args.host}:{args.port}",
            "--workers", str(args.workers), "service.web.wsgi:app"]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # pragma: no cover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sourcewise", description="Mark speculation, vague sources and unsourced claims in news.")
    commands = parser.add_subparsers(dest="command", required=True)

    analyze = commands.add_parser("analyze", help="analyse a text file (or JSONL batch)")
    analyze.add_argument("file", nargs="?", help="text file, or - for stdin")
    analyze.add_argument("--json", action="store_true", help="print the result JSON")
    analyze.add_argument("--jsonl", metavar="IN", help="batch: JSON Lines with 'id' and 'text' (- for stdin)")
    analyze.add_argument("--out", metavar="OUT", help="batch output (default stdout)")
    analyze.add_argument("--offsets", choices=["codepoint", "utf16"], default="codepoint")
    analyze.add_argument("--jobs", type=int, metavar="N", help="batch: processes to analyse on (default: the machine's cores)")
    analyze.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    analyze.set_defaults(handler=cmd_analyze)

    evaluate = commands.add_parser("evaluate", help="print the accuracy table on the held-out data")
    from .evaluation import DEFAULT_DATA

    evaluate.add_argument("--data", default=os.environ.get("SOURCEWISE_DATA", str(DEFAULT_DATA)), help="the shared/ folder")
    evaluate.add_argument("--limit", type=int, help="only the first N rows of each corpus (a quick smoke run)")
    evaluate.set_defaults(handler=cmd_evaluate)

    serve = commands.add_parser("serve", help="serve the API and demo page with gunicorn")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
