"""POST /analyze with Accept: application/x-ndjson (#16): in-process through Flask, and under a real gunicorn on a socket."""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.engine import analyze
from service.web import create_app
from service.web.settings import Settings

from .conftest import RedisServer
from .service_process import gunicorn, post, worker_pids

NDJSON = "application/x-ndjson"
SEED = (Path(__file__).parent / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")


def _long_text(blocks: int = 120) -> str:
    """Many different paragraphs (no two alike, so no cache or lexeme reuse makes them cheap)."""
    return "\n\n".join(f"Officials said on day {n} that the plan {n} may cost {n * 7} million dollars, according to the ministry. "
                       f"Critics {n} warned it could fail." for n in range(blocks))


def _client(**overrides):
    return create_app(Settings(rate_limit=None, **overrides)).test_client()


def _lines(body: bytes) -> list[dict]:
    assert body.endswith(b"\n")
    return [json.loads(line) for line in body.decode("utf-8").splitlines()]


def _assemble(lines: list[dict]) -> dict:
    final = lines[-1]
    return {"model": final["model"], "offsets": final["offsets"], "sensitivity": final["sensitivity"],
            "sentences": [s for line in lines[:-1] for s in line["sentences"]], "summary": final["summary"]}


@pytest.mark.parametrize("offsets", ["codepoint", "utf16"])
def test_stream_adds_up_to_the_plain_answer_and_fills_the_cache(offsets: str) -> None:
    client = _client()
    text = SEED + "\n\n😀 Officials said the 😀 plan may fail, according to the ministry."
    streamed = client.post("/analyze", json={"text": text, "offsets": offsets}, headers={"Accept": NDJSON})
    assert streamed.status_code == 200
    assert streamed.mimetype == NDJSON
    assert streamed.headers["X-Accel-Buffering"] == "no"
    assert streamed.headers["X-Cache"] == "miss"
    lines = _lines(streamed.data)
    assert len(lines) >= 3 and all(set(line) == {"sentences"} for line in lines[:-1])
    assert set(lines[-1]) == {"summary", "model", "offsets", "sensitivity"}
    plain = client.post("/analyze", json={"text": text, "offsets": offsets})
    assert plain.headers["X-Cache"] == "hit"  # the completed stream filled the cache
    assert _assemble(lines) == plain.get_json() == analyze(text, offsets)
    again = client.post("/analyze", json={"text": text, "offsets": offsets}, headers={"Accept": NDJSON})
    assert again.headers["X-Cache"] == "hit"
    assert _assemble(_lines(again.data)) == plain.get_json()


def test_plain_json_is_unchanged_by_accept_headers() -> None:
    client = _client()
    for accept in ("application/json", "*/*", f"application/json, {NDJSON};q=0.5"):
        response = client.post("/analyze", json={"text": "Prices may rise."}, headers={"Accept": accept})
        assert response.mimetype == "application/json"
        assert response.get_json()["summary"]["speculative"] == 1


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "bad_json"),
        ({"json": {"text": 5}}, 400, "bad_text"),
        ({"json": {"text": "x", "offsets": "bytes"}}, 400, "bad_offsets"),
        ({"json": {"text": "x" * 1001}}, 413, "too_large"),
        ({"data": b"\xff\xfe", "content_type": "text/plain"}, 400, "bad_encoding"),
        ({"data": "x", "content_type": "application/xml"}, 415, "unsupported_media_type"),
        ({"data": "[" * 20_000, "content_type": "application/json"}, 400, "bad_json"),
    ],
)
def test_hostile_bodies_streamed_get_a_json_error_not_a_stream(kwargs: dict, status: int, code: str) -> None:
    response = _client(max_text_chars=1000).post("/analyze", headers={"Accept": NDJSON}, **kwargs)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == code


def test_a_timeout_mid_stream_is_the_last_line_and_nothing_is_cached() -> None:
    client = _client(analysis_timeout=0.5)
    text = _long_text(400)
    response = client.post("/analyze", json={"text": text}, headers={"Accept": NDJSON})
    assert response.status_code == 200
    lines = _lines(response.data)
    assert lines[-1] == {"error": {"code": "analysis_timeout", "message": lines[-1]["error"]["message"]}}
    assert len(lines) >= 2 and "sentences" in lines[0]  # chunks analysed before the deadline arrived first
    assert client.post("/analyze", json={"text": "Prices may rise."}).status_code == 200  # the engine lock was released
    assert _client(analysis_timeout=None).post("/analyze", json={"text": text}).headers["X-Cache"] == "miss"


def test_redis_dying_mid_stream_still_completes(redis_server: RedisServer) -> None:
    client = create_app(Settings(redis_url=redis_server.url, rate_limit=None, redis_retry_seconds=60)).test_client()
    response = client.post("/analyze", json={"text": _long_text(60)}, headers={"Accept": NDJSON}, buffered=False)
    assert response.headers["X-Cache"] == "miss"
    chunks = iter(response.response)
    first = next(chunks)
    redis_server.stop()
    lines = _lines(first + b"".join(chunks))
    assert "sentences" in lines[0] and "summary" in lines[-1]
    response.close()


# --- a real gunicorn on a socket, a real HTTP client ---------------------------------------------------------


def _open_stream(base: str, text: str) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    connection.request("POST", "/analyze", body=json.dumps({"text": text}).encode(),
                       headers={"Content-Type": "application/json", "Accept": NDJSON})
    return connection, connection.getresponse()


@pytest.mark.slow
def test_gunicorn_streams_lines_before_the_end_and_survives_a_client_that_leaves() -> None:
    text = _long_text(150)
    # No memory retirement (WORKER_MAX_RSS_MB, #12): a worker replaced here would be one the client's leaving broke.
    with gunicorn({"WEB_CONCURRENCY": "1", "ANALYSIS_TIMEOUT": "off", "WORKER_MAX_RSS_MB": "0"}) as (base, master):
        connection, response = _open_stream(base, text)
        assert response.status == 200 and response.getheader("Content-Type") == NDJSON
        assert response.getheader("X-Accel-Buffering") == "no"
        started = time.monotonic()
        arrivals = []
        while raw := response.readline():
            arrivals.append((time.monotonic() - started, json.loads(raw)))
        connection.close()
        assert "summary" in arrivals[-1][1] and len(arrivals) >= 5
        first, last = arrivals[0][0], arrivals[-1][0]
        assert first < last / 3, f"first line after {first:.2f} s, last after {last:.2f} s: the answer was not streamed"

        # A client that reads one line and leaves: the worker goes on serving, and nothing is cached half-done.
        worker = worker_pids(master.pid)
        other = _long_text(151)
        connection, response = _open_stream(base, other)
        assert "sentences" in json.loads(response.readline())
        response.fp.raw._sock.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]
        connection.close()
        status, headers, body = post(base, {"text": "Prices may rise."}, timeout=120)
        assert status == 200 and body["summary"]["speculative"] == 1
        assert worker_pids(master.pid) == worker
        status, headers, _ = post(base, {"text": other}, timeout=120)
        assert status == 200 and headers["X-Cache"] == "miss"


def test_a_stream_is_cached_per_sensitivity() -> None:
    client = _client()
    text = SEED
    balanced = client.post("/analyze", json={"text": text}, headers={"Accept": NDJSON})
    strict = client.post("/analyze", json={"text": text, "sensitivity": "strict"}, headers={"Accept": NDJSON})
    assert balanced.headers["X-Cache"] == "miss" and strict.headers["X-Cache"] == "miss"  # not served the other's answer
    assert _assemble(_lines(strict.data)) == analyze(text, sensitivity="strict")
    assert _lines(strict.data)[-1]["sensitivity"] == "strict"
    again = client.post("/analyze", json={"text": text, "sensitivity": "strict"}, headers={"Accept": NDJSON})
    assert again.headers["X-Cache"] == "hit" and _assemble(_lines(again.data)) == _assemble(_lines(strict.data))


@pytest.mark.slow
def test_gunicorn_refuses_hostile_streamed_bodies_with_json_errors() -> None:
    """Over a real socket: each bad body is a 4xx JSON error before any line, and the worker goes on serving."""
    bodies = [
        (b"{not json", "application/json", 400, "bad_json"),
        (json.dumps({"text": ["a list"]}).encode(), "application/json", 400, "bad_text"),
        (json.dumps({"text": "x", "sensitivity": "paranoid"}).encode(), "application/json", 400, "bad_sensitivity"),
        (json.dumps({"text": "x" * 2001}).encode(), "application/json", 413, "too_large"),
        (b"[" * 50_000, "application/json", 400, "bad_json"),
        (b"\xff\xfe\x00", "text/plain", 400, "bad_encoding"),
        (b"<text/>", "application/xml", 415, "unsupported_media_type"),
    ]
    with gunicorn({"WEB_CONCURRENCY": "1", "MAX_TEXT_CHARS": "2000"}) as (base, master):
        parts = urlsplit(base)
        worker = worker_pids(master.pid)
        for body, media, status, code in bodies:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            connection.request("POST", "/analyze", body=body, headers={"Content-Type": media, "Accept": NDJSON})
            response = connection.getresponse()
            answer = json.loads(response.read())
            connection.close()
            assert response.status == status, body[:40]
            assert response.getheader("Content-Type").startswith("application/json")
            assert code is None or answer["error"]["code"] == code
        status, _, answer = post(base, {"text": "Prices may rise."}, timeout=60)
        assert status == 200 and answer["summary"]["speculative"] == 1
        assert worker_pids(master.pid) == worker


@pytest.mark.slow
def test_gunicorn_stream_completes_when_redis_dies_mid_stream(redis_server: RedisServer) -> None:
    """Redis killed after the first line: the stream still ends with its summary, and the next answer is uncached (off)."""
    text = _long_text(100)
    with gunicorn({"WEB_CONCURRENCY": "1", "ANALYSIS_TIMEOUT": "off", "REDIS_URL": redis_server.url, "REDIS_RETRY_SECONDS": "60"}) as (base, _):
        connection, response = _open_stream(base, text)
        assert response.status == 200 and response.getheader("X-Cache") == "miss"
        lines = [json.loads(response.readline())]
        redis_server.stop()
        while raw := response.readline():
            lines.append(json.loads(raw))
        connection.close()
        assert "sentences" in lines[0] and "summary" in lines[-1] and len(lines) >= 3
        assert not any("error" in line for line in lines)
        assert _assemble(lines) == analyze(text)
        status, headers, _ = post(base, {"text": "Prices may rise."}, timeout=60)
        assert status == 200 and headers["X-Cache"] == "off"
