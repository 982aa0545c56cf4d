"""The ``sourcewise`` command: analyze, evaluate, feedback export, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

LABEL_COLORS = {"speculative": "33", "vague_source": "35", "unsourced": "31", "sourced": "2;32"}
LABEL_ORDER = ("speculative", "vague_source", "unsourced", "sourced")  # the most doubtful first: it colours the sentence
CUE_STYLE = "1"
PROGRESS_EVERY = 100


def _color(text: str, code: str, enabled: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if enabled and text and code else text


def cue_label(cue: dict, labels: list[str]) -> str | None:
    """The label a cue carries, if any (the extension's rule, renderer.js cueLabel): speculation cues other than a
    bare question mark carry speculative, the attribution cue of a vague source vague_source; claim evidence such as
    a date or a number, and text without a letter, carry none."""
    if not any(ch.isalpha() for ch in cue.get("text", "")):
        return None
    if cue.get("kind") == "speculation" and cue.get("type") != "question":
        return "speculative" if "speculative" in labels else None
    if cue.get("kind") == "attribution":
        return "vague_source" if "vague_source" in labels else None
    return None


def _tag(sentence: dict, color: bool) -> str:
    """The inline tag after a flagged sentence: each label in its own colour, then why."""
    names = ", ".join(_color(label, LABEL_COLORS.get(label, ""), color) for label in sentence["labels"])
    why = sentence.get("explanation") or ""
    return f" [{names}{': ' + _color(why, '2', color) if why else ''}]"


def render_terminal(text: str, result: dict, color: bool) -> str:
    """The article with each flagged sentence tagged inline ([speculative, unsourced: why]); in colour, the
    sentence takes its most doubtful label's colour (sourced stays plain) and cue words that carry a label are bold."""
    out, pos = [], 0
    for sentence in result["sentences"]:
        out.append(text[pos : sentence["start"]])
        labels = sentence["labels"]
        doubt = [label for label in LABEL_ORDER if label in labels and label != "sourced"]
        code = LABEL_COLORS[doubt[0]] if doubt else ""
        inner = sentence["start"]
        for cue in sentence["cues"]:
            out.append(_color(text[inner : cue["start"]], code, color))
            carried = cue_label(cue, labels)
            cue_code = f"{CUE_STYLE};{LABEL_COLORS[carried]}" if carried else code
            out.append(_color(text[cue["start"] : cue["end"]], cue_code, color))
            inner = cue["end"]
        out.append(_color(text[inner : sentence["end"]], code, color))
        if labels:
            out.append(_tag(sentence, color))
        pos = sentence["end"]
    out.append(text[pos:])
    legend = "  ".join(_color(label, code, color) for label, code in LABEL_COLORS.items())
    cue_note = "cue words in bold" if color else "each flagged sentence is followed by [its labels: why]"
    summary = result["summary"]
    counts = ", ".join(f"{summary.get(label, 0)} {label}" for label in LABEL_ORDER)
    lines = ["".join(out).rstrip(), "", f"Labels: {legend}  ({cue_note})",
             f"{summary.get('sentences', len(result['sentences']))} sentences: {counts}"]
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


def run_jsonl(in_path: str, out_path: str, offsets: str, sensitivity: str = "balanced", jobs: int | None = None) -> int:
    """Batch mode: one result line per input line, same order, ids carried over; on ``jobs`` processes (default: the cores)."""
    from .parallel import WorkerFailed, analyze_parallel

    with _open_in(in_path) as source:
        records = list(_jsonl_records(source))
    texts = (record["text"] for record in records)
    out = _open_out(out_path)
    try:
        for count, (record, result) in enumerate(zip(records, analyze_parallel(texts, offsets=offsets, jobs=jobs, sensitivity=sensitivity)), 1):
            out.write(json.dumps({"id": record.get("id"), **result}, ensure_ascii=False) + "\n")
            if count % PROGRESS_EVERY == 0 or count == len(records):
                print(f"\ranalysed {count}/{len(records)}", end="", file=sys.stderr, flush=True)
    except WorkerFailed as exc:
        raise SystemExit(f"\nsourcewise analyze: {exc}") from None
    finally:
        if out is not sys.stdout:
            out.close()
    if records:
        print(file=sys.stderr)
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from .engine import analyze

    if args.jsonl:
        return run_jsonl(args.jsonl, args.out or "-", args.offsets, args.sensitivity, args.jobs)
    if not args.file:
        raise SystemExit("sourcewise analyze: give a FILE (or - for stdin), or --jsonl IN")
    with _open_in(args.file) as handle:
        text = handle.read()
    result = analyze(text, offsets=args.offsets, sensitivity=args.sensitivity)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if args.color == "auto" else args.color == "always"
        print(render_terminal(text, result, color))
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_all, format_table, missing_data, missing_data_message
    from .label_eval import format_out_of_fold
    from .reader_eval import evaluate_reader, format_reader_table

    # The reader-judged rows from the six saved pages need no corpus, so they always run.
    print(format_reader_table(evaluate_reader(Path(args.data), limit=args.limit)), end="\n\n", flush=True)
    print(format_out_of_fold(), end="\n\n", flush=True)
    missing = missing_data(Path(args.data))
    if missing:
        print(missing_data_message(Path(args.data), missing), file=sys.stderr)
        return 2
    print(format_table(evaluate_all(Path(args.data), limit=args.limit)))
    return 0


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """Readers' reports as JSON Lines in the fields of reader_train.jsonl (#17): Redis, or the SQLite file."""
    from .web.feedback import RedisFeedback, SqliteFeedback, export_row
    from .web.settings import default_feedback_db

    redis_url = args.redis or (None if args.db else os.environ.get("REDIS_URL"))
    store = RedisFeedback(redis_url) if redis_url else SqliteFeedback(args.db or default_feedback_db())
    out = _open_out(args.out)
    count = 0
    try:
        for report in store.reports():
            out.write(json.dumps(export_row(report), ensure_ascii=False) + "\n")
            count += 1
    except FileNotFoundError as exc:
        raise SystemExit(f"sourcewise feedback export: {exc}") from exc
    except Exception as exc:  # Redis unreachable, not a feedback database: say which, no traceback
        raise SystemExit(f"sourcewise feedback export: could not read the reports from {store.backend}: {type(exc).__name__}: {exc}") from exc
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"exported {count} report(s) from {store.backend}", file=sys.stderr)
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
    analyze.add_argument("--sensitivity", choices=["strict", "balanced", "sensitive"], default=os.environ.get("SENSITIVITY", "balanced"),
                         help="fewer, surer marks (strict) or more (sensitive); default balanced")
    analyze.set_defaults(handler=cmd_analyze)

    evaluate = commands.add_parser("evaluate", help="print the accuracy table on the held-out data")
    from .evaluation import DEFAULT_DATA

    evaluate.add_argument("--data", default=os.environ.get("SOURCEWISE_DATA", str(DEFAULT_DATA)), help="the shared/ folder")
    evaluate.add_argument("--limit", type=int, help="only the first N rows of each corpus (a quick smoke run)")
    evaluate.set_defaults(handler=cmd_evaluate)

    feedback = commands.add_parser("feedback", help="readers' reports of wrong or missing labels")
    feedback_commands = feedback.add_subparsers(dest="feedback_command", required=True)
    export = feedback_commands.add_parser("export", help="write the reports as JSON Lines in the fields of reader_train.jsonl")
    where = export.add_mutually_exclusive_group()
    where.add_argument("--redis", metavar="URL", help="read from this Redis (default: REDIS_URL when set)")
    where.add_argument("--db", metavar="PATH", help="read from this SQLite file (default: FEEDBACK_DB, else the user data directory)")
    export.add_argument("-o", "--out", metavar="FILE", default="-", help="output file (default stdout)")
    export.set_defaults(handler=cmd_feedback_export)

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
