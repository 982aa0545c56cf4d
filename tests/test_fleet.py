"""The fleet as deployed (#18): two instances (gunicorn, 2 workers, the Procfile's command) behind nginx, one Redis.

Every part is the real program, started here on loopback ports. Needs nginx and redis-server
(`scripts/test` installs both); skipped with the reason when either is missing.
"""

from __future__ import annotations

import collections
import json
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

import pytest

from .fleet import Answer, Background, Client, Fleet, missing_tools, run_load, started_fleet
from .prometheus_text import Samples, value

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(missing_tools()), reason=f"the fleet test needs {' and '.join(missing_tools())} (apt-get install nginx redis-server)"),
]

API_KEY = "fleet-key"
METRICS_TOKEN = "fleet-metrics-token"
LIMIT = 120
FLEET_ENV = {"API_KEYS": API_KEY, "METRICS_TOKEN": METRICS_TOKEN, "RATE_LIMIT": f"{LIMIT} per minute", "REDIS_RETRY_SECONDS": "1"}
ARTICLE = (Path(__file__).resolve().parent / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
_serial = iter(range(10**9))


def fresh_text(words: int = 120) -> str:
    """A text no instance has seen (so it is analysed, taking a while)."""
    return f"Report {next(_serial)} {time.monotonic_ns()}. " + " ".join(ARTICLE.split()[:words])


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    yield from started_fleet(tmp_path_factory.mktemp("fleet"), FLEET_ENV)


def client(fleet: Fleet) -> Client:
    return fleet.client(Authorization=f"Bearer {API_KEY}")


def scrape_all(fleet: Fleet) -> list[Samples]:
    return fleet.scrape(METRICS_TOKEN)


def total(scrapes: list[Samples], name: str, **labels: str) -> float:
    return sum(value(samples, name, **labels) for samples in scrapes)


def assert_none_failed(answers: list[Answer]) -> None:
    failed = [(a.route, a.status, a.error, a.upstream) for a in answers if a.status != 200]
    assert not failed, f"{len(failed)} of {len(answers)} requests failed: {failed[:5]}"


def test_the_same_text_eight_times_is_analysed_once_across_the_fleet(fleet: Fleet) -> None:
    before = scrape_all(fleet)
    text = fresh_text()
    answers = [client(fleet).analyze(text) for _ in range(8)]
    assert_none_failed(answers)
    assert [a.cache for a in answers].count("miss") == 1 and [a.cache for a in answers].count("hit") == 7
    assert {a.served_by for a in answers} == {i.address for i in fleet.instances}  # round robin: both instances answered
    assert len({a.body for a in answers}) == 1
    after = scrape_all(fleet)
    delta = lambda name, **labels: total(after, name, **labels) - total(before, name, **labels)  # noqa: E731
    assert delta("sourcewise_cache_lookups_total", backend="redis", result="miss") == 1
    assert delta("sourcewise_cache_lookups_total", backend="redis", result="hit") == 7
    assert delta("sourcewise_texts_analysed_total") == 1


def test_api_keys_hold_on_every_instance(fleet: Fleet) -> None:
    answers = [fleet.client().analyze("It may rain.") for _ in range(4)]
    answers += [fleet.client(Authorization="Bearer not-the-key").analyze("It may rain.") for _ in range(4)]
    assert {a.status for a in answers} == {401}
    assert {a.served_by for a in answers} == {i.address for i in fleet.instances}
    assert fleet.instances[0].scrape(METRICS_TOKEN)  # and the metrics token opens /metrics, without it 401:
    with pytest.raises(urllib.error.HTTPError, match="401"):
        fleet.instances[1].scrape()


def test_the_rate_limit_is_one_per_client_across_the_fleet(fleet: Fleet) -> None:
    """One client gets LIMIT requests a minute from the whole fleet, keyed on the address nginx saw, whatever it claims."""
    first, second = client(fleet), client(fleet)
    answers = [first.analyze("The limit may hold.", {"X-Forwarded-For": f"10.0.0.{n % 200}"}) for n in range(LIMIT)]
    assert_none_failed(answers)
    per_instance = collections.Counter(a.served_by for a in answers)
    assert len(per_instance) == 2 and max(per_instance.values()) < LIMIT  # no instance alone saw enough to trip a limit of its own
    over = first.analyze("The limit may hold.")
    assert over.status == 429 and json.loads(over.body)["error"]["code"] == "rate_limited"
    assert first.analyze("The limit may hold.", {"X-Forwarded-For": "203.0.113.9"}).status == 429  # a forged address does not help
    assert second.analyze("The limit may hold.", {"X-Forwarded-For": first.address}).status == 200  # nor does it hurt another client
    assert all(second.analyze("The limit may hold.").status == 200 for _ in range(3))


def test_the_instances_metrics_add_up_to_what_the_load_sent(fleet: Fleet) -> None:
    cached = fresh_text(40)
    assert client(fleet).analyze(cached).status == 200
    fresh_sent = collections.Counter()

    def request(c: Client, n: int) -> Answer:
        kind = n % 5
        if kind == 0:
            fresh_sent["texts"] += 1
            return c.analyze(fresh_text(30))
        if kind == 1:
            return c.analyze(5)  # 400
        if kind == 2:
            return c.batch([cached, cached])
        return c.analyze(cached)

    before = scrape_all(fleet)
    answers = run_load(request, [client(fleet) for _ in range(4)], threading.Event(), per_client=25)
    after = scrape_all(fleet)
    assert len(answers) == 100 and not [a for a in answers if a.retried]
    sent = collections.Counter((a.route, str(a.status)) for a in answers)
    assert sent == {("/analyze", "200"): 60, ("/analyze", "400"): 20, ("/analyze/batch", "200"): 20}
    for (route, status), count in sent.items():
        counted = total(after, "sourcewise_http_requests_total", route=route, status=status) - \
            total(before, "sourcewise_http_requests_total", route=route, status=status)
        assert counted == count, (route, status)
    # and nothing else: the only other requests were the two scrapes before the load, counted once they were answered
    assert total(after, "sourcewise_http_requests_total") - total(before, "sourcewise_http_requests_total") == 100 + 2
    assert total(after, "sourcewise_texts_analysed_total") - total(before, "sourcewise_texts_analysed_total") == fresh_sent["texts"]
    assert total(after, "sourcewise_http_request_duration_seconds_count", route="/analyze") - \
        total(before, "sourcewise_http_request_duration_seconds_count", route="/analyze") == 80


def test_an_instance_killed_mid_load_fails_no_request_and_takes_traffic_when_back(fleet: Fleet) -> None:
    """SIGKILL one instance (master and workers) with analyses in flight: nginx sends them to the other; the new one counts from zero."""
    victim = fleet.instances[0]
    load = Background(lambda c, n: c.analyze(fresh_text()), [client(fleet) for _ in range(4)])
    try:
        load.wait_for(lambda answers: len(answers) >= 6, 120, "the load to start")
        killed_at = time.monotonic()
        victim.kill()
        load.wait_for(lambda answers: sum(a.started > killed_at for a in answers) >= 6, 120, "answers while one instance is down")
        victim.start()
        victim.wait()
        back_at = time.monotonic()
        load.wait_for(lambda answers: sum(a.started > back_at and a.served_by == victim.address for a in answers) >= 3, 120,
                      "the restarted instance to take traffic")
    finally:
        answers = load.finish()
    assert_none_failed(answers)
    in_flight = [a for a in answers if a.retried and a.upstream.startswith(victim.address)]
    assert in_flight, "no request was in flight on the killed instance"  # nginx retried them on the other instance
    samples = victim.scrape(METRICS_TOKEN)
    served_since = sum(a.served_by == victim.address and a.started > killed_at for a in answers)
    assert value(samples, "sourcewise_http_requests_total", route="/analyze") == served_since  # counters started at zero


def test_redis_killed_mid_load_fails_no_request_and_caching_resumes(fleet: Fleet) -> None:
    texts = [fresh_text(60) for _ in range(3)]
    for text in texts:
        client(fleet).analyze(text)
    before = scrape_all(fleet)
    load = Background(lambda c, n: c.analyze(texts[n % 3]), [client(fleet) for _ in range(3)])
    try:
        load.wait_for(lambda answers: len(answers) >= 10, 60, "the load to start")
        fleet.redis.stop()
        stopped_at = time.monotonic()
        load.wait_for(lambda answers: sum(a.started > stopped_at + 1 for a in answers) >= 6, 120, "answers while Redis is down")
        restarting_at = time.monotonic()
        fleet.redis.start()
        back_at = time.monotonic()
        load.wait_for(lambda answers: sum(a.started > back_at and a.cache == "hit" for a in answers) >= 6, 120, "cache hits again")
    finally:
        answers = load.finish()
    assert_none_failed(answers)
    down = [a for a in answers if a.started > stopped_at + 0.5 and a.started + a.seconds < restarting_at]
    assert down and all(a.cache == "off" for a in down)  # served uncached
    assert fleet.redis.client().dbsize() >= 1
    after = scrape_all(fleet)
    assert total(after, "sourcewise_cache_errors_total", backend="redis") > total(before, "sourcewise_cache_errors_total", backend="redis")


def test_a_streamed_answer_arrives_in_pieces_through_nginx(fleet: Fleet) -> None:
    """nginx buffers proxied answers (this fleet's nginx has buffers larger than the whole answer): the stream's
    ``X-Accel-Buffering: no`` must still bring its lines to the client as they are made (#16)."""
    import http.client

    salt = time.monotonic_ns()
    text = "\n\n".join(f"Officials said on day {n} of {salt} that the plan may cost {n * 7} million dollars. Critics warned it could fail."
                       for n in range(90))
    reader = client(fleet)
    connection = http.client.HTTPConnection("127.0.0.1", reader.port, timeout=120, source_address=(reader.address, 0))
    connection.request("POST", "/analyze", body=json.dumps({"text": text}).encode(),
                       headers={**reader.headers, "Content-Type": "application/json", "Accept": "application/x-ndjson"})
    response = connection.getresponse()
    started = time.monotonic()
    arrivals = []
    while raw := response.readline():
        arrivals.append((time.monotonic() - started, json.loads(raw)))
    connection.close()
    assert response.status == 200 and response.getheader("Content-Type") == "application/x-ndjson"
    assert "summary" in arrivals[-1][1] and len(arrivals) >= 4
    times = [at for at, _ in arrivals]
    # The first line comes on its own, well before the second: nginx's buffers (tests/fleet.py) would hold them all.
    assert times[1] - times[0] > 0.1 and times[0] < times[-1] / 4, f"lines arrived at {[round(t, 2) for t in times]} s: nginx held the stream back"
    plain = reader.analyze(text)  # the completed stream filled the fleet's cache, with the same sentences
    assert plain.status == 200 and plain.cache == "hit"
    assert json.loads(plain.body)["sentences"] == [s for _, part in arrivals[:-1] for s in part["sentences"]]
