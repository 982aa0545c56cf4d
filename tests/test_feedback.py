"""POST /feedback and `sourcewise feedback export` (#17): readers' reports stored durably, bad bodies refused.

Reports go to a real gunicorn service, with its own SQLite file and with a real redis-server, survive a
restart of the service, and come back out of the CLI in the fields of reader_train.jsonl.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service.web import create_app
from service.web.settings import Settings

from .conftest import RedisServer
from .service_process import ROOT, gunicorn

REPORT = {
    "sentence": "The mayor is said to favour a second bridge.",
    "context": "The council met on Monday. Plans were discussed.",
    "labels": ["speculative", "vague_source"],
    "label": "speculative",
    "verdict": "wrong",
    "url": "https://news.example/bridge",
}
MISSING = {"sentence": "Ticket prices rose 40% in May.", "labels": [], "label": "unsourced", "verdict": "missing"}
LABEL_NAMES = ("speculative", "vague_source", "unsourced", "sourced")


def _client(tmp_path: Path, **overrides):
    settings = Settings(rate_limit=None, feedback_db=str(tmp_path / "fb" / "feedback.sqlite3"), **overrides)
    return create_app(settings).test_client()


def _export(*args: str) -> list[dict]:
    """`sourcewise feedback export ARGS` run as a user runs it; its JSON Lines, parsed."""
    done = subprocess.run([sys.executable, "-m", "service.cli", "feedback", "export", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _post(base: str, payload: dict | bytes, content_type: str = "application/json") -> tuple[int, dict]:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    request = urllib.request.Request(base + "/feedback", data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _expected_row(report: dict, report_id: str) -> dict:
    disputed = 1 if report["verdict"] == "missing" else 0
    return {
        "id": report_id,
        "source": "feedback",
        "article": report.get("url"),
        "start": None,
        "end": None,
        "context": report.get("context", ""),
        "sentence": report["sentence"],
        "labels": {name: (disputed if name == report["label"] else None) for name in LABEL_NAMES},
        "unsure": [],
    }


def _check_rows(rows: list[dict], posted: list[tuple[dict, str]]) -> None:
    assert len(rows) == len(posted)
    for row, (report, report_id) in zip(rows, posted):
        reported_at = row.pop("reported_at")
        assert reported_at.endswith("Z") and reported_at[:2] == "20"
        assert row == _expected_row(report, report_id)


def test_report_through_gunicorn_survives_restart_and_exports(tmp_path: Path) -> None:
    db = tmp_path / "data" / "feedback.sqlite3"
    posted = []
    with gunicorn({"FEEDBACK_DB": str(db)}) as (base, _):
        status, body = _post(base, REPORT)
        assert status == 201 and len(body["id"]) == 32
        posted.append((REPORT, body["id"]))
    with gunicorn({"FEEDBACK_DB": str(db)}) as (base, _):  # a new service on the same file
        status, body = _post(base, MISSING)
        assert status == 201
        posted.append((MISSING, body["id"]))
    out = tmp_path / "out.jsonl"
    assert _export("--db", str(db), "-o", str(out)) == []
    _check_rows([json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()], posted)
    assert set(json.loads(out.read_text().splitlines()[0])) == {  # the fields of reader_train.jsonl, plus reported_at
        "id", "source", "article", "start", "end", "context", "sentence", "labels", "unsure", "reported_at"}


def test_report_through_gunicorn_with_redis_has_no_expiry_and_exports(redis_server: RedisServer, tmp_path: Path) -> None:
    db = tmp_path / "unused.sqlite3"
    posted = []
    for report in (REPORT, MISSING):  # a restart of the service between the two reports
        with gunicorn({"REDIS_URL": redis_server.url, "FEEDBACK_DB": str(db)}) as (base, _):
            status, body = _post(base, report)
            assert status == 201
            posted.append((report, body["id"]))
    client = redis_server.client()
    assert client.ttl("sourcewise:feedback:v1") == -1  # the key never expires
    assert client.xlen("sourcewise:feedback:v1") == 2
    assert not db.exists()  # with Redis, nothing goes to the SQLite file
    _check_rows(_export("--redis", redis_server.url), posted)


def test_redis_down_is_a_503_not_a_lost_report(redis_server: RedisServer, tmp_path: Path) -> None:
    client = _client(tmp_path, redis_url=redis_server.url)
    assert client.post("/feedback", json=REPORT).status_code == 201
    redis_server.stop()
    response = client.post("/feedback", json=REPORT)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "feedback_unavailable"
    assert client.post("/analyze", json={"text": "Prices may rise."}).status_code == 200  # analysis still answers, uncached
    redis_server.start()  # a fresh, empty server: the refused report was never counted as stored
    assert client.post("/feedback", json=MISSING).status_code == 201
    assert redis_server.client().xlen("sourcewise:feedback:v1") == 1


def test_unwritable_database_is_a_503(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    client = create_app(Settings(rate_limit=None, feedback_db=str(blocker / "feedback.sqlite3"))).test_client()
    response = client.post("/feedback", json=REPORT)
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "feedback_unavailable"


def test_default_database_is_in_the_data_directory_not_the_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("FEEDBACK_DB")
    monkeypatch.setenv("CACHE_DIR", str(tmp_path / "cache"))
    settings = Settings.from_env()
    assert settings.feedback_db.endswith("feedback.sqlite3")
    assert not settings.feedback_db.startswith(settings.cache_dir)
    assert Settings.from_env({"FEEDBACK_DB": "/srv/fb.db"}).feedback_db == "/srv/fb.db"


BAD_BODIES = [
    ("no sentence", {**REPORT, "sentence": None}, 400, "bad_sentence"),
    ("empty sentence", {**REPORT, "sentence": "  "}, 400, "bad_sentence"),
    ("sentence a number", {**REPORT, "sentence": 5}, 400, "bad_sentence"),
    ("sentence too long", {**REPORT, "sentence": "x" * 2001}, 400, "too_long"),
    ("context too long", {**REPORT, "context": "x" * 4001}, 400, "too_long"),
    ("context a list", {**REPORT, "context": ["a"]}, 400, "bad_context"),
    ("url too long", {**REPORT, "url": "https://a.example/" + "x" * 2000}, 400, "too_long"),
    ("url an object", {**REPORT, "url": {"href": "x"}}, 400, "bad_url"),
    ("labels a string", {**REPORT, "labels": "speculative"}, 400, "bad_labels"),
    ("unknown engine label", {**REPORT, "labels": ["speculative", "biased"]}, 400, "bad_labels"),
    ("no label", {k: v for k, v in REPORT.items() if k != "label"}, 400, "bad_label"),
    ("unknown label", {**REPORT, "label": "biased"}, 400, "bad_label"),
    ("label a list", {**REPORT, "label": ["speculative"]}, 400, "bad_label"),
    ("no verdict", {k: v for k, v in REPORT.items() if k != "verdict"}, 400, "bad_verdict"),
    ("unknown verdict", {**REPORT, "verdict": "maybe"}, 400, "bad_verdict"),
    ("wrong, yet not given", {**REPORT, "label": "sourced"}, 400, "bad_verdict"),
    ("missing, yet given", {**REPORT, "verdict": "missing"}, 400, "bad_verdict"),
    ("lone surrogate", {**REPORT, "sentence": "bad \ud800 text"}, 400, "bad_sentence"),
    ("a list, not an object", [REPORT], 400, "bad_json"),
]


@pytest.mark.parametrize(("name", "body", "status", "code"), BAD_BODIES, ids=[case[0] for case in BAD_BODIES])
def test_bad_bodies_are_clear_json_4xx(tmp_path: Path, name: str, body, status: int, code: str) -> None:
    response = _client(tmp_path).post("/feedback", data=json.dumps(body), content_type="application/json")
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code), name
    assert not (tmp_path / "fb" / "feedback.sqlite3").exists()  # nothing stored


@pytest.mark.parametrize(("data", "content_type", "status", "code"), [
    (b"{not json", "application/json", 400, "bad_json"),
    (json.dumps(REPORT).encode(), "text/plain", 415, "unsupported_media_type"),
    (json.dumps(REPORT).encode(), "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    (json.dumps(REPORT).encode("utf-16"), "application/json; charset=utf-16", 415, "unsupported_charset"),
    (b"[" * 100_000, "application/json", 400, "bad_json"),
])
def test_bodies_that_are_not_utf8_json_objects(tmp_path: Path, data: bytes, content_type: str, status: int, code: str) -> None:
    response = _client(tmp_path).post("/feedback", data=data, content_type=content_type)
    assert (response.status_code, response.get_json()["error"]["code"]) == (status, code)


def test_api_keys_and_cors_as_for_analyze(tmp_path: Path) -> None:
    client = _client(tmp_path, api_keys=frozenset({"k1"}))
    assert client.post("/feedback", json=REPORT).status_code == 401
    assert client.post("/feedback", json=REPORT, headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.post("/feedback", json=REPORT, headers={"Authorization": "Bearer k1"}).status_code == 201
    origin = "chrome-extension://" + "a" * 32
    preflight = client.options("/feedback", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "authorization, content-type"})
    assert preflight.status_code == 200  # a preflight carries no key
    assert preflight.headers["Access-Control-Allow-Origin"] == origin
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    refused = client.post("/feedback", json=REPORT, headers={"Origin": "https://evil.example", "Authorization": "Bearer k1"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_rate_limited_as_analyze(tmp_path: Path) -> None:
    limited = create_app(Settings(rate_limit="2 per minute", feedback_db=str(tmp_path / "r.db"))).test_client()
    statuses = [limited.post("/feedback", json=REPORT).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_unknown_fields_are_not_stored(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert client.post("/feedback", json={**REPORT, "page_html": "<html>everything</html>"}).status_code == 201
    raw = (tmp_path / "fb" / "feedback.sqlite3").read_bytes()
    assert b"everything" not in raw and b"second bridge" in raw
