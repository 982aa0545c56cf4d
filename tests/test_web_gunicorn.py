"""The service as users run it: gunicorn on a real socket, with and without Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent


def _wait_ready(base: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with urllib.request.urlopen(base + "/ready", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def _post(base: str, payload: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(base + "/analyze", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def _serve(env_extra: dict) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2", **env_extra}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "service.web.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def embedded() -> Iterator[str]:
    yield from _serve({"REDIS_URL": ""})


@pytest.mark.slow
def test_gunicorn_embedded_cache(embedded: str, seed_fixture: dict) -> None:
    statuses = set()
    for _ in range(6):  # two workers, each with its own in-process cache
        status, headers, body = _post(embedded, {"text": seed_fixture["text"]})
        assert status == 200 and body["summary"]["speculative"] >= 1
        statuses.add(headers["X-Cache"])
    assert "hit" in statuses
    status, _, body = _post(embedded, {"text": 5})
    assert status == 400 and body["error"]["code"] == "bad_text"


@pytest.mark.slow
def test_gunicorn_with_redis_shares_the_cache(redis_server: RedisServer, seed_fixture: dict) -> None:
    for base in _serve({"REDIS_URL": redis_server.url}):
        first = _post(base, {"text": seed_fixture["text"]})
        second = _post(base, {"text": seed_fixture["text"]})
        assert (first[1]["X-Cache"], second[1]["X-Cache"]) == ("miss", "hit")
        redis_server.stop()
        status, headers, _ = _post(base, {"text": "Another text may differ."})
        assert status == 200 and headers["X-Cache"] == "off"
