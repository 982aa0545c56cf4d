"""The HTTP API through Flask's test client: answers, errors, CORS, keys, limits, the embedded cache."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web import create_app
from service.web.settings import Settings


@pytest.fixture
def app() -> Flask:
    return create_app(Settings(rate_limit=None))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_analyze_seed_article(client: FlaskClient, seed_fixture: dict) -> None:
    response = client.post("/analyze", json={"text": seed_fixture["text"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["summary"]["sentences"] == len(seed_fixture["sentences"])
    assert "speculative" in body["sentences"][0]["labels"]
    assert body["model"].startswith("sourcewise-")


def test_second_identical_call_is_a_cache_hit(client: FlaskClient) -> None:
    first = client.post("/analyze", json={"text": "Experts say the dam may fail."})
    second = client.post("/analyze", json={"text": "Experts say the dam may fail."})
    assert first.headers["X-Cache"] == "miss"
    assert second.headers["X-Cache"] == "hit"
    assert first.get_json() == second.get_json()


def test_offsets_option_is_part_of_the_cache_key(client: FlaskClient) -> None:
    text = "🚀 Experts say the launch could fail."
    client.post("/analyze", json={"text": text})
    utf16 = client.post("/analyze", json={"text": text, "offsets": "utf16"})
    assert utf16.headers["X-Cache"] == "miss"
    assert utf16.get_json()["offsets"] == "utf16"


def test_sensitivity_is_chosen_per_request_and_part_of_the_cache_key(client: FlaskClient) -> None:
    text = "Experts say the dam may fail. Officials said 40 people were evacuated on Monday."
    balanced = client.post("/analyze", json={"text": text})
    strict = client.post("/analyze", json={"text": text, "sensitivity": "strict"})
    by_query = client.post("/analyze?sensitivity=sensitive", data=text.encode(), content_type="text/plain; charset=utf-8")
    assert balanced.get_json()["sensitivity"] == "balanced" and strict.get_json()["sensitivity"] == "strict"
    assert by_query.get_json()["sensitivity"] == "sensitive"
    assert strict.headers["X-Cache"] == "miss" and by_query.headers["X-Cache"] == "miss"
    for answer in (balanced, strict, by_query):
        assert all(set(s["scores"]) == {"speculative", "vague_source", "unsourced", "sourced"} for s in answer.get_json()["sentences"])
    batch = client.post("/analyze/batch", json={"texts": [text], "sensitivity": "strict"}).get_json()["results"][0]
    assert batch == strict.get_json()


def test_server_default_sensitivity_comes_from_settings() -> None:
    client = create_app(Settings(rate_limit=None, sensitivity="strict")).test_client()
    assert client.post("/analyze", json={"text": "It may rain."}).get_json()["sensitivity"] == "strict"
    with pytest.raises(ValueError):
        Settings.from_env({"SENSITIVITY": "loud"})


def test_plain_text_body(client: FlaskClient) -> None:
    response = client.post("/analyze?offsets=utf16", data=b"Analysts believe prices could rise.", content_type="text/plain; charset=utf-8")
    assert response.status_code == 200
    assert response.get_json()["offsets"] == "utf16"


def test_empty_text_has_no_sentences(client: FlaskClient) -> None:
    response = client.post("/analyze", json={"text": "  \n "})
    assert response.status_code == 200
    assert response.get_json()["sentences"] == []


def test_batch_keeps_order_and_caches_each_text(client: FlaskClient) -> None:
    client.post("/analyze", json={"text": "Prices rose 4% in May."})
    response = client.post("/analyze/batch", json={"texts": ["Experts say it may rain.", "Prices rose 4% in May."]})
    assert response.status_code == 200
    results = response.get_json()["results"]
    assert results[0]["sentences"][0]["text"] == "Experts say it may rain."
    assert results[1]["sentences"][0]["text"] == "Prices rose 4% in May."
    again = client.post("/analyze/batch", json={"texts": ["Experts say it may rain.", "Prices rose 4% in May."]})
    assert again.headers["X-Cache"] == "hit"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "bad_json"),
        ({"json": ["a list"]}, 400, "bad_json"),
        ({"json": {}}, 400, "bad_text"),
        ({"json": {"text": 42}}, 400, "bad_text"),
        ({"json": {"text": None}}, 400, "bad_text"),
        ({"json": {"text": "ok", "offsets": "bytes"}}, 400, "bad_offsets"),
        ({"json": {"text": "ok", "sensitivity": "paranoid"}}, 400, "bad_sensitivity"),
        ({"json": {"text": "ok", "sensitivity": 3}}, 400, "bad_sensitivity"),
        ({"json": {"text": "ok", "sensitivity": ["strict"]}}, 400, "bad_sensitivity"),
        ({"data": b"text=hi", "content_type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ({"data": b"\xff\xfe\xfa", "content_type": "text/plain; charset=utf-8"}, 400, "bad_encoding"),
        ({"data": b"hi"}, 415, "unsupported_media_type"),
    ],
)
def test_bad_input_gets_json_error(client: FlaskClient, kwargs: dict, status: int, code: str) -> None:
    response = client.post("/analyze", **kwargs)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_batch_errors(client: FlaskClient) -> None:
    assert client.post("/analyze/batch", json={"texts": "one"}).status_code == 400
    assert client.post("/analyze/batch", json={"texts": ["a", 1]}).status_code == 400
    assert client.post("/analyze/batch", json={"texts": ["a"] * 51}).status_code == 413


def test_text_over_limit_is_413() -> None:
    client = create_app(Settings(rate_limit=None, max_text_chars=100)).test_client()
    response = client.post("/analyze", json={"text": "x" * 101})
    assert response.status_code == 413
    assert "limit is 100" in response.get_json()["error"]["message"]
    huge = client.post("/analyze", data=b"x" * 2_000_000, content_type="text/plain")
    assert huge.status_code == 413
    assert huge.get_json()["error"]["code"] == "too_large"


def test_unknown_path_and_method_are_json(client: FlaskClient) -> None:
    assert client.get("/nope").get_json()["error"]["code"] == "not_found"
    response = client.get("/analyze")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_lone_surrogate_in_json_does_not_fail(client: FlaskClient) -> None:
    """Regression (issue 2): spaCy cannot tokenise lone surrogates; this answered 500 before the engine replaced them."""
    body = '{"text": "Experts say \\ud800 it may rain."}'
    response = client.post("/analyze", data=body, content_type="application/json")
    assert response.status_code == 200
    assert response.get_json()["summary"]["speculative"] == 1


def test_health_ready_openapi_docs_demo(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"status": "ok"}
    ready = client.get("/ready").get_json()
    assert ready["redis"] == "disabled" and ready["model"].startswith("sourcewise-")
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/analyze" in spec["paths"]
    assert b"Sourcewise API" in client.get("/docs").data
    assert b"Analyse" in client.get("/").data


def test_response_matches_openapi_required_fields(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()["components"]["schemas"]
    body = client.post("/analyze", json={"text": "Experts say 40 people may have died."}).get_json()
    assert set(spec["Result"]["required"]) <= set(body)
    sentence_required = spec["Sentence"]["allOf"][1]["required"] + spec["Span"]["required"]
    assert set(sentence_required) <= set(body["sentences"][0])


def test_cors_allows_extension_and_refuses_other_sites(client: FlaskClient) -> None:
    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    allowed = client.options("/analyze", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == origin
    refused = client.options("/analyze", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_origins_from_settings() -> None:
    client = create_app(Settings(rate_limit=None, cors_origins=("https://news.example",))).test_client()
    response = client.post("/analyze", json={"text": "Hi."}, headers={"Origin": "https://news.example"})
    assert response.headers.get("Access-Control-Allow-Origin") == "https://news.example"


def test_api_key_required_when_configured() -> None:
    client = create_app(Settings(rate_limit=None, api_keys=frozenset({"s3cret"}))).test_client()
    assert client.post("/analyze", json={"text": "Hi."}).status_code == 401
    assert client.post("/analyze", json={"text": "Hi."}, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/analyze", json={"text": "Hi."}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/health").status_code == 200


def test_rate_limit_answers_429_with_retry_after() -> None:
    client = create_app(Settings(rate_limit="3 per minute")).test_client()
    statuses = [client.post("/analyze", json={"text": "Hi."}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/analyze", json={"text": "Hi."})
    assert limited.get_json()["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0


def test_settings_from_environment() -> None:
    settings = Settings.from_env({"MAX_TEXT_CHARS": "10", "API_KEYS": "a, b", "RATE_LIMIT": "off", "CORS_ORIGINS": "https://x.example"})
    assert settings.max_text_chars == 10
    assert settings.api_keys == frozenset({"a", "b"})
    assert settings.rate_limit is None
    assert settings.cors_origins == ("https://x.example",)


def test_request_log_never_contains_the_text(client: FlaskClient, caplog) -> None:
    secret = "Zyxwvut confidential sentence about 42 submarines."
    with caplog.at_level(logging.DEBUG):
        client.post("/analyze", json={"text": secret})
        client.post("/analyze", json={"text": secret, "offsets": "bad"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "POST /analyze 200" in logged
    assert "Zyxwvut" not in logged and "submarines" not in logged
    assert json.dumps(secret) not in logged


def test_full_cache_hit_never_calls_the_engine(own_cache_dir) -> None:
    from service.web.cache import DiskCache
    from service.web.service import CachedAnalyzer

    calls: list[list[str]] = []

    def engine(texts, offsets, sensitivity="balanced"):
        calls.append(list(texts))
        return iter({"text": text} for text in calls[-1])

    analyzer = CachedAnalyzer(engine, "v1", DiskCache(str(own_cache_dir), size_limit=2**20, ttl=60))
    assert analyzer.run(["a", "b"], "codepoint")[1] == "miss"
    results, status = analyzer.run(["b", "a"], "codepoint")
    assert status == "hit" and results == ['{"text":"b"}', '{"text":"a"}']
    assert calls == [["a", "b"]]
