"""The sourcewise command line."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.cli import main

from .conftest import FIXTURES


def test_analyze_tags_each_flagged_sentence_inline(capsys) -> None:
    """#17: no notes list detached from the text and no bare score: each flagged sentence carries [labels: why]."""
    from service.engine import analyze

    text = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
    result = analyze(text)
    assert main(["analyze", str(FIXTURES / "seed_article.txt"), "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "\033[" not in out
    flagged = [s for s in result["sentences"] if s["labels"]]
    for sentence in flagged:  # the tag follows its sentence, on the same line, with the labels and the why
        assert f"{sentence['text']} [{', '.join(sentence['labels'])}: {sentence['explanation']}]" in out
    assert "score" not in out and "[1]" not in out
    assert len(re.findall(r"[.!?\"”] \[(?:speculative|vague_source|unsourced|sourced)[,:]", out)) == len(flagged)  # one tag each
    unflagged = next(s for s in result["sentences"] if not s["labels"])
    assert f"{unflagged['text']} [" not in out  # an unflagged sentence: no tag
    summary = result["summary"]
    counts = ", ".join(f"{summary[label]} {label}" for label in ("speculative", "vague_source", "unsourced", "sourced"))
    assert f"{summary['sentences']} sentences: {counts}" in out


def test_analyze_color_shows_every_label_and_bolds_only_cues_that_carry_one(capsys) -> None:
    main(["analyze", str(FIXTURES / "seed_article.txt"), "--color", "always"])
    out = capsys.readouterr().out
    assert "[\033[33mspeculative\033[0m, \033[35mvague_source\033[0m: " in out  # both labels, each in its colour
    assert "[\033[33mspeculative\033[0m, \033[31munsourced\033[0m: " in out
    assert "\033[1;33mcould become\033[0m" in out  # a speculation cue: bold
    assert "\033[1;35maccording to\033[0m" in out  # the cue of a vague source: bold
    assert "\033[31mAugust 2024\033[0m" in out and "\033[1;31mAugust 2024" not in out  # a date is evidence, not a cue: not bold


def test_analyze_never_bolds_a_question_mark(capsys, tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_text("Will prices rise? Officials may close the bridge on Friday.", encoding="utf-8")
    main(["analyze", str(path), "--color", "always"])
    out = capsys.readouterr().out
    assert "\033[1;33m?" not in out and "\033[33m?\033[0m" in out  # a bare "?" carries the colour, never bold
    assert "\033[1;33mmay close\033[0m" in out


def test_analyze_json(capsys, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Experts say the dam may fail.", encoding="utf-8")
    main(["analyze", str(path), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert result["sentences"][0]["labels"] == ["speculative", "vague_source"]


def test_jsonl_batch_keeps_order_and_ids(tmp_path: Path) -> None:
    records = [{"id": f"doc-{i}", "text": text} for i, text in enumerate(["Experts say it may rain.", "", "Prices rose 4% in May."] * 3)]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert main(["analyze", "--jsonl", str(source), "--out", str(target)]) == 0
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in records]
    assert "speculative" in lines[0]["sentences"][0]["labels"]
    assert lines[1]["sentences"] == []


def test_jsonl_jobs_give_the_same_output_in_the_same_order(tmp_path: Path) -> None:
    """--jobs 2 (two forked processes) writes byte for byte what --jobs 1 writes (#16)."""
    seed = (Path(__file__).parent / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
    texts = [seed, "Experts say it may rain.", "", "Prices rose 4% in May.", seed[:700], "😀 Officials said it could fail."] * 4
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        completed = subprocess.run([sys.executable, "-m", "service.cli", "analyze", "--jsonl", str(source), "--jobs", jobs, "--offsets", "utf16",
                                    "--sensitivity", "strict"],
                                   capture_output=True, text=True, timeout=300, check=True)
        outputs.append(completed.stdout)
    assert outputs[0] == outputs[1]
    assert [json.loads(line)["id"] for line in outputs[0].splitlines()] == list(range(len(texts)))
    assert {json.loads(line)["sensitivity"] for line in outputs[1].splitlines()} == {"strict"}  # passed on to every process


def test_jsonl_stdin_to_stdout() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "service.cli", "analyze", "--jsonl", "-"],
        input='{"id": 7, "text": "Analysts believe prices could rise."}\n',
        capture_output=True, text=True, timeout=120, check=True,
    )
    line = json.loads(completed.stdout)
    assert line["id"] == 7 and line["summary"]["speculative"] == 1


def test_jsonl_bad_line_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "ok"}\nnot json\n', encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "service.cli", "analyze", "--jsonl", str(source)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode != 0
    assert "line 2" in completed.stderr


def test_evaluate_prints_the_accuracy_table(shared_data: Path, capsys) -> None:
    assert main(["evaluate", "--data", str(shared_data), "--limit", "40"]) == 0
    out = capsys.readouterr().out
    assert "| task | data | n | P | R | F1 | target | met |" in out
    assert out.startswith("Reader-judged sentences")  # the reader-judged table comes first (#9)
    for label in ("speculative", "vague_source", "sourced", "unsourced"):
        assert f"\n| {label} | " in out.split("| task |")[0]
    assert "clean-flag rate:" in out
    for task in ("speculative", "speculation cues (finder)", "attribution", "attribution (finder)", "claim", "seed article"):
        assert f"| {task} |" in out
    assert "| seed article | seed_article.json | 14 |" in out
    assert "Learned labels, cross-validated on the reader-judged training set" in out


def test_evaluate_without_corpora_says_what_each_row_needs(tmp_path: Path, capsys) -> None:
    """#11: a clone without the corpora gets where each one comes from and how to point --data at it, not a traceback."""
    (tmp_path / "data" / "uncertainty").mkdir(parents=True)
    (tmp_path / "data" / "uncertainty" / "wiki_train.jsonl").write_text("", encoding="utf-8")
    assert main(["evaluate", "--data", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    # The reader-judged rows from the saved pages need no corpus: they still print (#9).
    assert captured.out.startswith("Reader-judged sentences") and "| speculative |" in captured.out
    for row, origin in [("speculative, factbank_news_dev", "Saurí & Pustejovsky 2009"), ("attribution, polnear_dev", "Newell, Margolin & Ruths"),
                        ("claim, claimbuster_train", "Arslan et al., ICWSM 2020"), ("seed article", "tests/fixtures/seed_article.json")]:
        assert f"  {row}: " in captured.err and origin in captured.err
    assert "wiki_train" not in captured.err  # present, so not listed
    assert "--data FOLDER" in captured.err and str(tmp_path) in captured.err


def test_serve_starts_the_service_on_the_given_port() -> None:
    import time
    import urllib.request

    from .conftest import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(port), "--workers", "1"],
                               env={**os.environ, "REDIS_URL": ""}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=2) as response:
                    body = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise AssertionError("sourcewise serve did not answer")
        assert body["redis"] == "disabled" and body["model"].startswith("sourcewise-")
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_jobs_after_this_process_has_analysed(tmp_path: Path) -> None:
    """--jobs in a process that has already run the encoder: the workers must not inherit its thread pools (they hung)."""
    from service.engine import analyze_many
    from service.parallel import analyze_parallel

    texts = ["Experts say it may rain.", "", "Prices rose 4% in May.", "He said it could fail."] * 3
    here = list(analyze_many(texts))
    assert list(analyze_parallel(texts, jobs=2)) == here


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        children = parents.get(pending.pop(), [])
        found += children
        pending += children
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_killed_worker_ends_the_batch_with_an_error(tmp_path: Path) -> None:
    """A worker killed mid-batch (as by the OOM killer): the command says so and exits non-zero instead of waiting forever."""
    seed = (Path(__file__).parent / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": seed}) + "\n" for i in range(400)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "service.cli", "analyze", "--jsonl", str(source), "--jobs", "2", "--out", os.devnull],
                               stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 3 and time.monotonic() < deadline:  # the fork server and its two workers
            time.sleep(0.5)
            workers = _descendants(process.pid)
        assert len(workers) >= 3, "the workers never started"
        time.sleep(3)
        os.kill(max(workers), signal.SIGKILL)
        _, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode not in (0, None)
    assert "an analysis process died" in stderr
    assert "Traceback" not in stderr
