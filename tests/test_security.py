"""Security checks: errors never leak internals; limits, content types, CORS, keys and rate limits hold."""

from __future__ import annotations

import pytest

from service.web import create_app
from service.web.settings import Settings

LEAKS = ("Traceback", "site-packages", "/work/", ".py", "File \"", "werkzeug", "spacy")

BAD_REQUESTS = [
    ("post", "/analyze", {"data": b"{", "content_type": "application/json"}),
    ("post", "/analyze", {"data": b"\x00\xff", "content_type": "text/plain; charset=utf-8"}),
    ("post", "/analyze", {"data": b"x", "content_type": "text/plain; charset=no-such-charset"}),
    ("post", "/analyze", {"json": {"text": ["a"]}}),
    ("post", "/analyze", {"json": {"text": "a", "offsets": {"$ne": 1}}}),
    ("post", "/analyze", {"data": b"<xml/>", "content_type": "application/xml"}),
    ("post", "/analyze/batch", {"json": {"texts": [None]}}),
    ("post", "/analyze", {"data": b"x" * 300_000, "content_type": "text/plain"}),
    ("get", "/analyze/../../etc/passwd", {}),
    ("delete", "/analyze", {}),
    ("get", "/shared/..%2fsettings.py", {}),
    ("get", "/shared/pages.py", {}),
]


@pytest.fixture
def client():
    return create_app(Settings(rate_limit=None, max_text_chars=1000)).test_client()


@pytest.mark.parametrize(("method", "path", "kwargs"), BAD_REQUESTS)
def test_errors_are_json_without_internals(client, method: str, path: str, kwargs: dict) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert 400 <= response.status_code < 500
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    text = response.get_data(as_text=True)
    assert not any(leak in text for leak in LEAKS), text


def test_unexpected_failure_is_a_plain_500(client, monkeypatch) -> None:
    analyzer = client.application.extensions["sourcewise"].analyzer

    def explode(texts, offsets, sensitivity="balanced"):
        raise RuntimeError("secret internal detail /work/main/service/engine/x.py")

    monkeypatch.setattr(analyzer, "analyze_many", explode)
    response = client.post("/analyze", json={"text": "Boom."})
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_error"
    assert "secret" not in response.get_data(as_text=True)


def test_failed_analysis_is_not_cached(client, monkeypatch) -> None:
    analyzer = client.application.extensions["sourcewise"].analyzer
    real = analyzer.analyze_many
    monkeypatch.setattr(analyzer, "analyze_many", lambda texts, offsets, sensitivity="balanced": (_ for _ in ()).throw(RuntimeError("x")))
    assert client.post("/analyze", json={"text": "Once may fail."}).status_code == 500
    monkeypatch.setattr(analyzer, "analyze_many", real)
    response = client.post("/analyze", json={"text": "Once may fail."})
    assert response.status_code == 200 and response.headers["X-Cache"] == "miss"


def test_cors_refuses_unlisted_origin_on_real_requests(client) -> None:
    response = client.post("/analyze", json={"text": "Hi."}, headers={"Origin": "https://attacker.example"})
    assert "Access-Control-Allow-Origin" not in response.headers
    lookalike = client.post("/analyze", json={"text": "Hi."}, headers={"Origin": "http://127.0.0.1.attacker.example"})
    assert "Access-Control-Allow-Origin" not in lookalike.headers
