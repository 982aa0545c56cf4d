"""Hostile requests (#12): never a 5xx, UTF-8 only, byte-safe keys, preflights, proxies, the analysis deadline."""

from __future__ import annotations

import json

import pytest

from service.web import create_app
from service.web.settings import Settings

ORIGIN = "http://localhost:5173"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}


def _client(**settings):
    return create_app(Settings(**{"rate_limit": None, **settings})).test_client()


def test_json_nested_100000_deep_is_400() -> None:
    """#12: json.loads recursed until RecursionError, a 500."""
    body = b"[" * 100_000 + b"]" * 100_000
    response = _client().post("/analyze", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"
    deep_object = b'{"text": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_000 + b"}"
    assert _client().post("/analyze/batch", data=deep_object, content_type="application/json").status_code == 400


def test_possessive_chain_is_analysed_not_a_500() -> None:
    """#12: "the man's " x 1000 overflowed the recursion in attribution's source classifier."""
    text = "the man's " * 1000 + "report said that it rained."
    response = _client().post("/analyze", json={"text": text})
    assert response.status_code == 200
    assert response.get_json()["sentences"]


@pytest.mark.parametrize("token", ["Bearer clé", "Bearer \u00ff\u00fe", "Bearer 秘密", "bearer s3cret\u0301"])
def test_non_ascii_bearer_token_is_401(token: str) -> None:
    """#12: hmac.compare_digest raised TypeError on non-ASCII str, a 500; keys are now compared as bytes."""
    client = _client(api_keys=frozenset({"s3cret"}))
    response = client.post("/analyze", json={"text": "Hi."}, headers={"Authorization": token})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_non_ascii_key_can_be_configured_and_used() -> None:
    client = _client(api_keys=frozenset({"clé-secrète"}))
    assert client.post("/analyze", json={"text": "Hi."}, headers={"Authorization": "Bearer clé-secrète"}).status_code == 200
    assert client.post("/analyze", json={"text": "Hi."}, headers={"Authorization": "Bearer cle-secrete"}).status_code == 401


@pytest.mark.parametrize("charset", ["punycode", "utf-7", "unicode_escape", "idna", "latin-1", "utf-16", "rot13", "no-such-charset"])
def test_charsets_other_than_utf8_are_415(charset: str) -> None:
    """#12: any Python codec was accepted (punycode cost seconds of CPU before the size check)."""
    client = _client()
    response = client.post("/analyze", data=b"x" * 50, content_type=f"text/plain; charset={charset}")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_charset"
    response = client.post("/analyze", data=b'{"text": "x"}', content_type=f"application/json; charset={charset}")
    assert response.status_code == 415


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "utf_8", "U8"])
def test_utf8_and_its_aliases_are_accepted(charset: str) -> None:
    client = _client()
    response = client.post("/analyze", data="Officials said it may rain. ✓".encode(), content_type=f"text/plain; charset={charset}")
    assert response.status_code == 200
    assert response.get_json()["sentences"][0]["text"] == "Officials said it may rain."
    assert client.post("/analyze", data=b'{"text": "Hi."}', content_type=f"application/json; charset={charset}").status_code == 200


def test_plain_text_size_is_checked_on_bytes_before_decoding() -> None:
    """More bytes than 4 per allowed character cannot be within the limit: 413 without decoding."""
    client = _client(max_text_chars=1000)
    response = client.post("/analyze", data=b"\xff" * 4001, content_type="text/plain")
    assert response.status_code == 413  # not 400 "bad encoding": the size is checked first
    assert client.post("/analyze", data=b"\xff" * 40, content_type="text/plain").status_code == 400


def test_preflight_needs_no_api_key() -> None:
    """#12: with API_KEYS set, the browser's OPTIONS preflight got 401, so keyed browser clients failed."""
    client = _client(api_keys=frozenset({"s3cret"}), cors_origins=(ORIGIN,))
    for path in ("/analyze", "/analyze/batch"):
        response = client.options(path, headers=PREFLIGHT)
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
        assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert client.post("/analyze", json={"text": "Hi."}, headers={"Origin": ORIGIN}).status_code == 401
    keyed = client.post("/analyze", json={"text": "Hi."}, headers={"Origin": ORIGIN, "Authorization": "Bearer s3cret"})
    assert keyed.status_code == 200 and keyed.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_preflights_are_not_rate_limited() -> None:
    client = _client(rate_limit="2 per minute", cors_origins=(ORIGIN,))
    for _ in range(5):
        assert client.options("/analyze", headers=PREFLIGHT).status_code == 200
    assert client.post("/analyze", json={"text": "Hi."}).status_code == 200
    assert client.post("/analyze", json={"text": "Hi."}).status_code == 200
    assert client.post("/analyze", json={"text": "Hi."}).status_code == 429


def _two_clients_behind_one_router(client) -> tuple[int, int]:
    """Two clients' requests arriving from the same router address, each with its own X-Forwarded-For."""
    router = {"REMOTE_ADDR": "10.0.0.1"}
    first = client.post("/analyze", json={"text": "Hi."}, headers={"X-Forwarded-For": "203.0.113.7"}, environ_base=router)
    second = client.post("/analyze", json={"text": "Hi."}, headers={"X-Forwarded-For": "198.51.100.9"}, environ_base=router)
    return first.status_code, second.status_code


def test_without_trusted_proxy_everyone_behind_the_router_shares_a_limit() -> None:
    """Off by default: X-Forwarded-For is ignored (a client could forge it), so the router's address counts."""
    assert _two_clients_behind_one_router(_client(rate_limit="1 per minute")) == (200, 429)


def test_trusted_proxy_hops_gives_each_client_its_own_limit() -> None:
    """#12: behind the PaaS router, TRUSTED_PROXY_HOPS=1 makes the limit per client, not per router."""
    client = _client(rate_limit="1 per minute", trusted_proxy_hops=1)
    assert _two_clients_behind_one_router(client) == (200, 200)
    again = client.post("/analyze", json={"text": "Hi."}, headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert again.status_code == 429


def test_new_settings_from_environment() -> None:
    settings = Settings.from_env({"TRUSTED_PROXY_HOPS": "2", "ANALYSIS_TIMEOUT": "7.5"})
    assert (settings.trusted_proxy_hops, settings.analysis_timeout) == (2, 7.5)
    assert Settings.from_env({"ANALYSIS_TIMEOUT": "off"}).analysis_timeout is None
    defaults = Settings.from_env({})
    assert (defaults.trusted_proxy_hops, defaults.analysis_timeout) == (0, 40.0)


def test_past_the_deadline_a_json_503_and_the_app_lives_on(seed_fixture: dict) -> None:
    """#12: the last safety net: an analysis past ANALYSIS_TIMEOUT answers 503 with Retry-After, is not cached."""
    client = _client(analysis_timeout=0.0)
    response = client.post("/analyze", json={"text": seed_fixture["text"]})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "analysis_timeout"
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/health").status_code == 200
    state = client.application.extensions["sourcewise"]
    state.analyzer.timeout = None
    again = client.post("/analyze", json={"text": seed_fixture["text"]})
    assert again.status_code == 200 and again.headers["X-Cache"] == "miss"


def test_batch_of_hostile_texts_is_not_a_5xx() -> None:
    texts = [")" * 5000, '"' * 5000, "he said that " * 300, "the man's " * 600 + "report said so.", "\ud800 lone surrogate"]
    response = _client().post("/analyze/batch", data=json.dumps({"texts": texts}), content_type="application/json")
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == len(texts)
