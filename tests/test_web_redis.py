"""The Redis cache with a real redis-server: hits, TTL, and Redis failing without failing requests."""

from __future__ import annotations

import time

from service.web import create_app
from service.web.settings import Settings

from .conftest import RedisServer


def _client(server: RedisServer, **overrides):
    settings = Settings(redis_url=server.url, rate_limit=None, cache_ttl=120, redis_retry_seconds=0.2, **overrides)
    return create_app(settings).test_client()


def test_miss_then_hit_with_ttl(redis_server: RedisServer) -> None:
    client = _client(redis_server)
    first = client.post("/analyze", json={"text": "Experts say the dam may fail."})
    second = client.post("/analyze", json={"text": "Experts say the dam may fail."})
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    keys = redis_server.client().keys("sourcewise:*")
    assert len(keys) == 1
    assert 0 < redis_server.client().ttl(keys[0]) <= 120
    assert client.get("/ready").get_json()["redis"] == "ok"


def test_errors_are_not_cached(redis_server: RedisServer) -> None:
    client = _client(redis_server)
    client.post("/analyze", json={"text": "ok", "offsets": "bad"})
    assert redis_server.client().keys("sourcewise:*") == []


def test_redis_killed_requests_still_answer_then_caching_resumes(redis_server: RedisServer) -> None:
    client = _client(redis_server)
    assert client.post("/analyze", json={"text": "Prices may rise."}).headers["X-Cache"] == "miss"
    redis_server.stop()
    for n in range(3):
        response = client.post("/analyze", json={"text": f"Prices may rise {n} times."})
        assert response.status_code == 200
        assert response.headers["X-Cache"] == "off"
    assert client.get("/ready").get_json()["redis"] == "down"
    redis_server.start()
    time.sleep(0.3)
    client.post("/analyze", json={"text": "Rates could fall."})
    assert client.post("/analyze", json={"text": "Rates could fall."}).headers["X-Cache"] == "hit"


def test_redis_never_started_is_logged_once(redis_server: RedisServer, caplog) -> None:
    redis_server.stop()
    client = _client(redis_server)
    for n in range(5):
        assert client.post("/analyze", json={"text": f"Text {n} may vary."}).status_code == 200
    warnings = [r for r in caplog.records if r.name == "sourcewise.cache" and "unavailable" in r.getMessage()]
    assert len(warnings) == 1
