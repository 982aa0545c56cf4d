"""Prometheus metrics for one instance: every gunicorn worker counted (``prometheus_client`` multiprocess mode).

Multiprocess mode is chosen by ``prometheus_client`` when it is first imported, from
``PROMETHEUS_MULTIPROC_DIR``; so it is imported here only on first use, after gunicorn's
configuration (``gunicorn_conf.py``) has set that variable (a private temporary directory when the
operator set none). Without gunicorn and without the variable, one process counts in its own registry.

The metric objects are made on first use in each process: gunicorn's master preloads the app but
serves nothing, so it writes no files (the directory it empties at start stays empty until a worker
counts something). No label is ever made from request content: routes are Flask's URL rules.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request

from .. import __version__

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED_ROUTE = "unmatched"  # a path no URL rule matched (404, 405): never the raw path
REQUEST_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0)
ANALYSIS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)


def multiprocess_dir() -> str | None:
    """The directory the workers of this instance share, when multiprocess mode is on."""
    return os.environ.get(MULTIPROC_ENV) or None


def choose_multiprocess_dir() -> bool:
    """Make sure ``PROMETHEUS_MULTIPROC_DIR`` names a directory; create a private temporary one when unset.

    Called when gunicorn loads its configuration, in the master, before the app (and prometheus_client)
    is imported. Returns True when the directory was created here (gunicorn removes it at exit).
    """
    path = multiprocess_dir()
    if path:
        Path(path).mkdir(parents=True, exist_ok=True)
        return False
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="sourcewise-metrics-")
    return True


def empty_multiprocess_dir() -> None:
    """Remove the previous run's metric files: a restarted instance starts its counters at zero."""
    path = multiprocess_dir()
    if path:
        for file in Path(path).glob("*.db"):
            file.unlink(missing_ok=True)


def remove_multiprocess_dir() -> None:
    path = multiprocess_dir()
    if path:
        shutil.rmtree(path, ignore_errors=True)


def mark_process_dead(pid: int) -> None:
    """A worker is gone: drop its live gauges (its counters stay in the instance's totals)."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


@dataclass
class _Families:
    requests: Any
    request_seconds: Any
    analysis_seconds: Any
    cache_lookups: Any
    cache_errors: Any
    texts: Any
    characters: Any
    timeouts: Any
    stream_first_line_seconds: Any
    streams: Any
    worker_memory: Any
    worker_replacements: Any
    build_info: Any
    registry: Any


def _make_families() -> _Families:
    directory = multiprocess_dir()
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

    registry = CollectorRegistry(auto_describe=True)
    kw = {"registry": registry}
    return _Families(
        requests=Counter("sourcewise_http_requests", "HTTP requests answered, by route (URL rule) and status.", ["route", "status"], **kw),
        request_seconds=Histogram("sourcewise_http_request_duration_seconds", "Time to answer a request, by route.", ["route"],
                                  buckets=REQUEST_BUCKETS, **kw),
        analysis_seconds=Histogram("sourcewise_analysis_duration_seconds", "Engine time per request that needed an analysis (cache misses).",
                                   buckets=ANALYSIS_BUCKETS, **kw),
        cache_lookups=Counter("sourcewise_cache_lookups", "Texts looked up in the result cache, by backend and result (hit, miss).",
                              ["backend", "result"], **kw),
        cache_errors=Counter("sourcewise_cache_errors", "Cache operations that failed (the request went on uncached), by backend.",
                             ["backend"], **kw),
        texts=Counter("sourcewise_texts_analysed", "Texts the engine analysed (cache misses).", **kw),
        characters=Counter("sourcewise_characters_analysed", "Characters of the texts the engine analysed.", **kw),
        timeouts=Counter("sourcewise_analysis_timeouts", "Analyses stopped by ANALYSIS_TIMEOUT (answered 503).", **kw),
        stream_first_line_seconds=Histogram("sourcewise_stream_first_line_seconds", "Time from a streamed request to its first line "
                                            "(when readers' first marks can appear), for streams that needed an analysis.",
                                            buckets=ANALYSIS_BUCKETS, **kw),
        streams=Counter("sourcewise_streams", "Streamed answers that needed an analysis, by how they ended (complete, "
                        "client_gone: the client left before the summary, error: the last line was an error).", ["outcome"], **kw),
        worker_memory=Gauge("sourcewise_worker_resident_memory_bytes", "Resident memory of each live worker, set by the worker.",
                            multiprocess_mode="liveall", **kw),
        worker_replacements=Counter("sourcewise_worker_replacements", "Workers retired to be replaced by a fresh fork, by reason "
                                    "(memory: WORKER_MAX_RSS_MB; max_requests: GUNICORN_MAX_REQUESTS).", ["reason"], **kw),
        build_info=Gauge("sourcewise_build_info", "Always 1; the labels say what is running.", ["version", "model"],
                         multiprocess_mode="livemax", **kw),
        registry=registry,
    )


class Metrics:
    """This process's metrics, made on first use (see the module docstring)."""

    def __init__(self) -> None:
        self._families: _Families | None = None
        self._lock = threading.Lock()

    @property
    def f(self) -> _Families:
        if self._families is None:
            with self._lock:
                if self._families is None:
                    self._families = _make_families()
        return self._families

    def request(self, route: str, status: int, seconds: float) -> None:
        self.f.requests.labels(route, str(status)).inc()
        self.f.request_seconds.labels(route).observe(seconds)

    def cache_lookups(self, backend: str, hits: int, misses: int) -> None:
        if hits:
            self.f.cache_lookups.labels(backend, "hit").inc(hits)
        if misses:
            self.f.cache_lookups.labels(backend, "miss").inc(misses)

    def cache_error(self, backend: str) -> None:
        self.f.cache_errors.labels(backend).inc()

    def analysed(self, texts: int, characters: int, seconds: float) -> None:
        self.f.texts.inc(texts)
        self.f.characters.inc(characters)
        self.f.analysis_seconds.observe(seconds)

    def analysis_timeout(self) -> None:
        self.f.timeouts.inc()

    def stream_first_line(self, seconds: float) -> None:
        self.f.stream_first_line_seconds.observe(seconds)

    def stream_ended(self, outcome: str) -> None:
        self.f.streams.labels(outcome).inc()

    def worker_memory(self, rss_bytes: float) -> None:
        self.f.worker_memory.set(rss_bytes)

    def worker_replaced(self, reason: str) -> None:
        self.f.worker_replacements.labels(reason).inc()

    def build_info(self, model: str) -> None:
        self.f.build_info.labels(__version__, model).set(1)

    def exposition(self, model: str) -> bytes:
        """The Prometheus text format: every process of the instance in multiprocess mode, else this one.

        The answering process sets its build info and memory first, so both are there before any
        worker has served a request (the build info gauge is the maximum over live workers).
        """
        families = self.f
        self.build_info(model)
        self.worker_memory(rss_bytes())
        if multiprocess_dir():
            from prometheus_client import CollectorRegistry, generate_latest, multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry)
        from prometheus_client import generate_latest

        return generate_latest(families.registry)


METRICS = Metrics()  # one per process


def rss_bytes() -> float:
    """This process's resident memory (Linux), else 0."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return 0.0


def route_label() -> str:
    """The request's URL rule ("/analyze", "/shared/<name>"), never its path."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED_ROUTE


def install(app: Flask, metrics: Metrics) -> None:
    """Count every request by route and status, and time it."""
    clock: Callable[[], float] = time.perf_counter

    def _start() -> None:
        g.metrics_started = clock()

    def _count(response: Response) -> Response:
        started = g.get("metrics_started")
        metrics.request(route_label(), response.status_code, clock() - started if started is not None else 0.0)
        return response

    # First of all before_request functions: the rate limiter's may answer 429 before the others run.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_count)
