"""The service as users run it: gunicorn on a real socket, with and without Redis."""

from __future__ import annotations

import pytest

from .conftest import RedisServer
from .service_process import gunicorn, post

pytestmark = pytest.mark.slow


def test_gunicorn_embedded_cache(seed_fixture: dict) -> None:
    with gunicorn({"REDIS_URL": ""}) as (base, _):
        statuses = set()
        for _ in range(6):  # two workers, each with its own in-process cache
            status, headers, body = post(base, {"text": seed_fixture["text"]})
            assert status == 200 and body["summary"]["speculative"] >= 1
            statuses.add(headers["X-Cache"])
        assert "hit" in statuses
        status, _, body = post(base, {"text": 5})
        assert status == 400 and body["error"]["code"] == "bad_text"


def test_gunicorn_with_redis_shares_the_cache(redis_server: RedisServer, seed_fixture: dict) -> None:
    with gunicorn({"REDIS_URL": redis_server.url}) as (base, _):
        first = post(base, {"text": seed_fixture["text"]})
        second = post(base, {"text": seed_fixture["text"]})
        assert (first[1]["X-Cache"], second[1]["X-Cache"]) == ("miss", "hit")
        redis_server.stop()
        status, headers, _ = post(base, {"text": "Another text may differ."})
        assert status == 200 and headers["X-Cache"] == "off"
