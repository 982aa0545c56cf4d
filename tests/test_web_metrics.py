"""GET /metrics in one process (Flask's test client): what is counted, under which labels, who may read it (#18)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service.web import create_app
from service.web.settings import Settings

from .conftest import free_port
from .prometheus_text import Samples, parse, series, value


def _scrape(client: FlaskClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(response.get_data(as_text=True))


@pytest.fixture
def client() -> FlaskClient:
    return create_app(Settings(rate_limit=None)).test_client()


def test_requests_are_counted_by_route_and_status_never_by_path_or_content(client: FlaskClient) -> None:
    before = _scrape(client)
    marker = "Zanzibarquux"
    assert client.post("/analyze", json={"text": f"{marker} could say it may rain."}).status_code == 200
    assert client.post("/analyze", json={"text": 5}).status_code == 400
    assert client.get(f"/analyze/{marker}").status_code == 404
    assert client.get("/shared/renderer.js").status_code == 200
    response = client.get("/metrics")
    text = response.get_data(as_text=True)
    after = parse(text)
    assert marker not in text
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("sourcewise_http_requests_total", route="/analyze", status="200") == 1
    assert delta("sourcewise_http_requests_total", route="/analyze", status="400") == 1
    assert delta("sourcewise_http_requests_total", route="unmatched", status="404") == 1
    assert delta("sourcewise_http_requests_total", route="/shared/<name>", status="200") == 1
    assert delta("sourcewise_http_request_duration_seconds_count", route="/analyze") == 2
    assert {labels["route"] for labels in series(after, "sourcewise_http_requests_total")} <= {
        "/analyze", "/analyze/batch", "/feedback", "/metrics", "/health", "/ready", "/openapi.json", "/docs", "/", "/shared/<name>",
        "/static/<path:filename>", "unmatched"}
    info = series(after, "sourcewise_build_info")
    assert len(info) == 1 and info[0]["model"].startswith("sourcewise-") and value(after, "sourcewise_build_info") == 1
    assert value(after, "sourcewise_worker_resident_memory_bytes") > 10 * 2**20


def test_cache_lookups_texts_and_characters(client: FlaskClient) -> None:
    before = _scrape(client)
    texts = ["Officials say the bridge might close.", "Officials say the bridge might close.", "Analysts believe it will reopen."]
    for text in texts:
        client.post("/analyze", json={"text": text})
    client.post("/analyze/batch", json={"texts": texts})
    after = _scrape(client)
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("sourcewise_cache_lookups_total", backend="disk", result="miss") == 2
    assert delta("sourcewise_cache_lookups_total", backend="disk", result="hit") == 4
    assert delta("sourcewise_texts_analysed_total") == 2
    assert delta("sourcewise_characters_analysed_total") == len(texts[0]) + len(texts[2])
    assert delta("sourcewise_analysis_duration_seconds_count") == 2
    assert delta("sourcewise_cache_errors_total") == 0


def test_a_down_redis_counts_errors_for_its_backend() -> None:
    client = create_app(Settings(redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit=None, redis_retry_seconds=0)).test_client()
    before = _scrape(client)
    response = client.post("/analyze", json={"text": "Nobody knows whether it could work."})
    assert (response.status_code, response.headers["X-Cache"]) == (200, "off")
    after = _scrape(client)
    assert value(after, "sourcewise_cache_errors_total", backend="redis") - value(before, "sourcewise_cache_errors_total", backend="redis") >= 2
    assert value(after, "sourcewise_cache_lookups_total", backend="redis", result="miss") - \
        value(before, "sourcewise_cache_lookups_total", backend="redis", result="miss") == 1


def test_analysis_timeouts_are_counted() -> None:
    client = create_app(Settings(rate_limit=None, analysis_timeout=1e-9)).test_client()
    before = _scrape(client)
    response = client.post("/analyze", json={"text": "It may rain. " * 50})
    assert response.status_code == 503
    after = _scrape(client)
    assert value(after, "sourcewise_analysis_timeouts_total") - value(before, "sourcewise_analysis_timeouts_total") == 1
    assert value(after, "sourcewise_http_requests_total", route="/analyze", status="503") >= 1


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", "Basic s3cret-tøken", "Bearer s3cret-tøke", "Bearer s3cret-tøken-and-more"])
def test_metrics_token_is_required_when_set(authorization: str | None) -> None:
    client = create_app(Settings(rate_limit=None, metrics_token="s3cret-tøken")).test_client()
    headers = {"Authorization": authorization.encode().decode("latin-1")} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "sourcewise_" not in response.get_data(as_text=True)


def test_the_right_metrics_token_is_let_in_and_api_keys_are_not_it() -> None:
    client = create_app(Settings(rate_limit=None, metrics_token="s3cret", api_keys=frozenset({"api-key"}))).test_client()
    assert client.get("/metrics", headers={"Authorization": "Bearer api-key"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "bearer s3cret"}).status_code == 200
    assert client.get("/health").status_code == 200  # the token guards /metrics only


def test_metrics_are_off_the_rate_limit() -> None:
    client = create_app(Settings(rate_limit="2 per minute")).test_client()
    statuses = [client.post("/analyze", json={"text": "It could."}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert [client.get("/metrics").status_code for _ in range(5)] == [200] * 5
    samples = _scrape(client)
    assert value(samples, "sourcewise_http_requests_total", route="/analyze", status="429") >= 1


def test_metrics_can_be_switched_off() -> None:
    settings = Settings.from_env({"METRICS_ENABLED": "0"})
    assert not settings.metrics_enabled and Settings.from_env({}).metrics_enabled
    assert Settings.from_env({"METRICS_TOKEN": "t"}).metrics_token == "t" and Settings.from_env({}).metrics_token is None
    client = create_app(Settings(rate_limit=None, metrics_enabled=False)).test_client()
    response = client.get("/metrics")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert client.post("/analyze", json={"text": "It could."}).status_code == 200


def test_metrics_are_in_the_openapi_document(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/metrics"]["get"]
    assert "text/plain" in operation["responses"]["200"]["content"]
    assert "401" in operation["responses"]


def test_streams_are_counted_by_how_they_ended_with_their_time_to_the_first_line() -> None:
    """#16: an operator sees how soon streamed answers start and how many end complete, left or failed."""
    import time

    client = create_app(Settings(rate_limit=None)).test_client()
    slow = create_app(Settings(rate_limit=None, analysis_timeout=0.3)).test_client()  # same process: the same registry
    stream = {"Accept": "application/x-ndjson"}
    before = _scrape(client)
    salt = time.monotonic_ns()
    assert b'"summary"' in client.post("/analyze", json={"text": f"Prices {salt} may rise.\n\nOfficials said so."}, headers=stream).data
    assert client.post("/analyze", json={"text": f"Prices {salt} may rise.\n\nOfficials said so."}, headers=stream).headers["X-Cache"] == "hit"
    long = "\n\n".join(f"Officials said on day {n} of {salt} that the plan may cost {n} million dollars." for n in range(600))
    timed_out = slow.post("/analyze", json={"text": long}, headers=stream).data.splitlines()
    assert b'"analysis_timeout"' in timed_out[-1] and b'"sentences"' in timed_out[0]  # chunks before the deadline came first
    left = client.post("/analyze", json={"text": long + " Again."}, headers=stream, buffered=False)
    next(left.response)  # the first line, then the client goes away
    left.close()
    after = _scrape(client)
    delta = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert delta("sourcewise_streams_total", outcome="complete") == 1  # the cached one needed no analysis
    assert delta("sourcewise_streams_total", outcome="error") == 1
    assert delta("sourcewise_streams_total", outcome="client_gone") == 1
    assert delta("sourcewise_stream_first_line_seconds_count") == 3  # each analysed stream that sent a line of sentences
    assert 0 < delta("sourcewise_stream_first_line_seconds_sum") < 30
