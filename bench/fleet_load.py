"""Fleet under load (#18): two instances behind nginx, one Redis; an instance kill, a Redis kill, the fleet's hit rate, /metrics' cost.

Run: python -m bench.fleet_load [--phase-seconds 8] [--no-write]
Needs nginx and redis-server (Debian packages). Only ever targets 127.0.0.1: the fleet of tests/fleet.py
(gunicorn from the Procfile, 2 workers per instance, nginx round robin with proxy_next_upstream ...
non_idempotent, TRUSTED_PROXY_HOPS=1). Prints a table and writes it to docs/benchmarks.md.

Everything runs on one machine (2 cores here), so this measures failures and latency through faults,
not throughput scaling: two instances on two shared cores cannot serve more than one.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.report import write_section
from tests.fleet import Answer, Background, Client, Fleet, Instance, missing_tools
from tests.prometheus_text import value

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = (ROOT / "tests" / "fixtures" / "seed_article.txt").read_text(encoding="utf-8")
CLIENTS = 4
POOL = 20  # repeated texts
_serial = itertools.count()


def text(n: int) -> str:
    return f"Dispatch {n}. " + ARTICLE


def fresh() -> str:
    return text(10**6 + next(_serial))


def mixed_request(client: Client, n: int) -> Answer:
    """Three in four requests repeat one of POOL texts, one in four is new: a reader population on a news day."""
    return client.analyze(fresh() if n % 4 == 3 else text(n % POOL))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def row(label: str, answers: list[Answer]) -> str:
    failed = sum(a.status != 200 for a in answers)
    retried = sum(a.retried for a in answers)
    seconds = [a.seconds for a in answers]
    return f"| {label} | {len(answers)} | {failed} | {retried} | {pct(seconds, 0.5):.0f} | {pct(seconds, 0.99):.0f} |"


def split(answers: list[Answer], start: float, end: float) -> tuple[list[Answer], list[Answer], list[Answer]]:
    return ([a for a in answers if a.started < start], [a for a in answers if start <= a.started < end], [a for a in answers if a.started >= end])


def instance_kill(fleet: Fleet, seconds: float) -> list[str]:
    victim = fleet.instances[0]
    load = Background(mixed_request, [fleet.client() for _ in range(CLIENTS)])
    time.sleep(seconds)
    killed = time.monotonic()
    victim.kill()
    time.sleep(2)
    victim.start()
    victim.wait()
    load.wait_for(lambda answers: any(a.started > killed and a.served_by == victim.address for a in answers), 120, "the instance back")
    back = time.monotonic()
    time.sleep(seconds)
    before, during, after = split(load.finish(), killed, back)
    return [row("instance kill: before", before), row(f"instance kill: during ({back - killed:.0f} s down and restarting)", during),
            row("instance kill: after", after)]


def redis_kill(fleet: Fleet, seconds: float) -> list[str]:
    load = Background(mixed_request, [fleet.client() for _ in range(CLIENTS)])
    time.sleep(seconds)
    killed = time.monotonic()
    fleet.redis.stop()
    time.sleep(seconds)
    fleet.redis.start()
    back = time.monotonic()
    time.sleep(seconds)
    answers = load.finish()
    before, during, after = split(answers, killed, back)
    off = sum(a.cache == "off" for a in during)
    return [row("Redis kill: before", before), row(f"Redis kill: during ({back - killed:.0f} s down; {off} answered uncached)", during),
            row("Redis kill: after (Redis empty again)", after)]


def hit_rate(fleet: Fleet, repeats: int) -> tuple[float, float, int]:
    """POOL new texts, each sent ``repeats`` times by CLIENTS clients in turn: the fleet's measured and ideal hit rate."""
    before = fleet.scrape()
    base = 2 * 10**6 + next(_serial) * 1000
    clients = [fleet.client() for _ in range(CLIENTS)]
    answers = [clients[i % CLIENTS].analyze(text(base + i % POOL)) for i in range(POOL * repeats)]
    after = fleet.scrape()
    hits = sum(value(s, "sourcewise_cache_lookups_total", result="hit") for s in after) - \
        sum(value(s, "sourcewise_cache_lookups_total", result="hit") for s in before)
    misses = sum(value(s, "sourcewise_cache_lookups_total", result="miss") for s in after) - \
        sum(value(s, "sourcewise_cache_lookups_total", result="miss") for s in before)
    assert all(a.status == 200 for a in answers)
    return hits / (hits + misses), (repeats - 1) / repeats, len(answers)


def cached_latencies(instance: Instance, body: bytes, count: int) -> list[float]:
    """``count`` cached /analyze on one kept-alive connection straight to the instance."""
    connection = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=30)
    out = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("POST", "/analyze", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            out.append(time.perf_counter() - started)
            assert response.status == 200 and response.getheader("X-Cache") == "hit"
    finally:
        connection.close()
    return out


def metrics_cost(fleet: Fleet, workdir: Path, rounds: int, per_round: int) -> tuple[list[str], float]:
    """A cached /analyze on two fresh instances alike but for METRICS_ENABLED, in alternating rounds."""
    same = {"REDIS_URL": fleet.redis.url, "TRUSTED_PROXY_HOPS": "1", "RATE_LIMIT": "off", "REDIS_RETRY_SECONDS": "1"}
    pair = {"on": Instance("metrics-on", same, workdir), "off": Instance("metrics-off", {**same, "METRICS_ENABLED": "0"}, workdir)}
    for instance in pair.values():
        instance.start()
    try:
        for instance in pair.values():
            instance.wait()
        body = json.dumps({"text": text(0)}).encode()
        for instance in pair.values():
            cached_latencies(instance, body, 300)  # warm up
        medians: dict[str, list[float]] = {"on": [], "off": []}
        for _ in range(rounds):
            for name, instance in pair.items():
                medians[name].append(statistics.median(cached_latencies(instance, body, per_round)))
        start = time.perf_counter()
        for _ in range(50):
            pair["on"].scrape()
        scrape_ms = (time.perf_counter() - start) / 50 * 1000
    finally:
        for instance in pair.values():
            instance.stop()
    on_ms, off_ms = statistics.median(medians["on"]) * 1000, statistics.median(medians["off"]) * 1000
    apart = (on_ms - off_ms) / off_ms * 100
    return [
        f"| cached /analyze p50, metrics on | {on_ms:.2f} ms |",
        f"| cached /analyze p50, metrics off (METRICS_ENABLED=0) | {off_ms:.2f} ms |",
        f"| on vs off (target: within 5 %) | {apart:+.1f} % — {'met' if abs(apart) <= 5 else 'not met'} |",
        f"| one scrape of /metrics (2 workers' files) | {scrape_ms:.1f} ms |",
    ], apart


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phase-seconds", type=float, default=8)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if missing_tools():
        sys.exit(f"needs {' and '.join(missing_tools())}: apt-get install nginx redis-server")
    with tempfile.TemporaryDirectory(prefix="sourcewise-fleet-bench-") as tmp:
        workdir = Path(tmp)
        env = {"RATE_LIMIT": "off", "REDIS_RETRY_SECONDS": "1"}
        fleet = Fleet(workdir, env)
        try:
            fleet.start()
            for n in range(POOL):  # warm the repeated texts
                fleet.client().analyze(text(n))
            rows = instance_kill(fleet, args.phase_seconds) + redis_kill(fleet, args.phase_seconds)
            rate, ideal, sent = hit_rate(fleet, repeats=10)
            cost, _ = metrics_cost(fleet, workdir, rounds=9, per_round=300)
        finally:
            fleet.stop()
    lines = [
        f"Two instances (gunicorn from the Procfile, 2 gthread workers each) behind nginx {nginx_version()} (round robin, "
        "`proxy_next_upstream error timeout http_502 non_idempotent`, tries 2), one redis-server, TRUSTED_PROXY_HOPS=1; "
        f"{CLIENTS} clients on loopback sending one request after another: 3 in 4 repeat one of {POOL} texts, 1 in 4 is new "
        f"(the seed article, {len(ARTICLE.split())} words). Phases of {args.phase_seconds:.0f} s. Instance kill: SIGKILL to its "
        "master and workers, restarted at once (the model loads again, ~10-20 s). Redis kill: SIGKILL, restarted empty.",
        "",
        "**One 2-core machine** (shared with other work while this ran): the instances compete for the same two cores, so "
        "there is no throughput scaling figure here, only failures and latency through faults.",
        "",
        "| phase | requests | failed | retried by nginx | p50 ms | p99 ms |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        "*retried by nginx*: requests nginx sent on to the other instance after the first failed — those in flight on the "
        "killed instance (counted in the phase they started in) and those sent to it before nginx marked it down. "
        "The Redis *after* phase re-analyses the repeated texts once, as Redis restarts empty.",
        "",
        f"Cache hit rate across the fleet on repeated texts ({POOL} new texts × 10 sends, round robin over both instances, "
        f"from the instances' /metrics): **{rate * 100:.1f} %** of {sent} lookups (ideal {ideal * 100:.0f} %: one miss per text).",
        "",
        "The cost of metrics: a cached /analyze straight to two fresh instances alike but for METRICS_ENABLED, one kept-alive "
        "connection each, median of 9 alternating rounds of 300 (after 300 to warm up):",
        "",
        "| measure | value |",
        "|---|---|",
        *cost,
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        write_section("fleet", "Fleet: two instances, nginx, Redis, faults", table)


def nginx_version() -> str:
    import subprocess

    from tests.fleet import NGINX

    out = subprocess.run([NGINX, "-v"], capture_output=True, text=True).stderr.strip()
    return out.rsplit("/", 1)[-1]


if __name__ == "__main__":
    main()
