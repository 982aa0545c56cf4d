"""/metrics under gunicorn: both workers counted, replaced workers' counts kept, their gauges dropped (#18)."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from .prometheus_text import Samples, parse, series, value
from .service_process import gunicorn, post, worker_pids

pytestmark = pytest.mark.slow


def scrape(base: str) -> Samples:
    with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
        return parse(response.read().decode())


def _wait_for_workers(master_pid: int, count: int = 2, seconds: float = 30) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = worker_pids(master_pid)
        if len(pids) == count:
            return pids
        time.sleep(0.1)
    raise AssertionError("gunicorn did not keep its workers")


def test_every_worker_is_counted_and_max_requests_replacements_too(tmp_path: Path) -> None:
    """No PROMETHEUS_MULTIPROC_DIR given: a private one in TMPDIR, removed at exit; counts of retired workers survive."""
    env = {"REDIS_URL": "", "PROMETHEUS_MULTIPROC_DIR": "", "TMPDIR": str(tmp_path), "GUNICORN_MAX_REQUESTS": "5",
           "GUNICORN_MAX_REQUESTS_JITTER": "0"}
    with gunicorn(env) as (base, master):
        dirs = list(tmp_path.glob("sourcewise-metrics-*"))
        assert len(dirs) == 1
        before = scrape(base)
        for _ in range(20):
            status, _, _ = post(base, {"text": "Officials say the road may reopen."})
            assert status == 200
        live = _wait_for_workers(master.pid)
        samples = scrape(base)
        assert value(samples, "sourcewise_http_requests_total", route="/analyze") == 20
        assert value(samples, "sourcewise_cache_lookups_total", backend="disk") == 20
        # 20 analyses + the scrapes and health checks, 5 a worker: at least 4 workers were retired and replaced
        replaced = value(samples, "sourcewise_worker_replacements_total", reason="max_requests")
        assert replaced - value(before, "sourcewise_worker_replacements_total", reason="max_requests") >= 4
        memory_pids = {int(labels["pid"]) for labels in series(samples, "sourcewise_worker_resident_memory_bytes")}
        assert memory_pids <= set(live) | set(worker_pids(master.pid))  # retired workers' gauges are gone
        assert 1 <= len(memory_pids) <= 2
        assert value(samples, "sourcewise_build_info") == 1
        assert len(list(dirs[0].glob("counter_*.db"))) > 2  # one file per worker that ever counted
    assert not list(tmp_path.glob("sourcewise-metrics-*"))


def _wait_for_a_replacement(master_pid: int, before: set[int], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = set(worker_pids(master_pid))
        if len(pids) == 2 and pids != before:
            return
        time.sleep(0.05)
    raise AssertionError("no worker was replaced")


def test_workers_retired_for_memory_are_counted(tmp_path: Path) -> None:
    """Past WORKER_MAX_RSS_MB (1 MB: every request) each answering worker retires once and is counted once."""
    with gunicorn({"REDIS_URL": "", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "WORKER_MAX_RSS_MB": "1"}) as (base, master):
        time.sleep(1)  # the readiness polls' workers finish retiring
        before = set(_wait_for_workers(master.pid))
        first = value(scrape(base), "sourcewise_worker_replacements_total", reason="memory")
        _wait_for_a_replacement(master.pid, before)  # the scrape retired the worker that answered it
        for _ in range(4):
            before = set(worker_pids(master.pid))
            assert post(base, {"text": "It could."})[0] == 200
            _wait_for_a_replacement(master.pid, before)  # so the next request finds a worker that answered nothing yet
        second = scrape(base)
        assert value(second, "sourcewise_worker_replacements_total", reason="memory") == first + 1 + 4
        assert value(second, "sourcewise_worker_replacements_total", reason="max_requests") == 0
