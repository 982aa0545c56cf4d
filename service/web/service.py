"""Analyse texts through the cache: the glue between the views and the engine."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

from ..engine.limits import AnalysisTimeout, analysis_deadline
from .cache import ResultCache, cache_key
from .metrics import Metrics

Analyzer = Callable[..., Iterator[dict]]  # analyze_many(texts, offsets, sensitivity=...)
# One analysis at a time per process, streamed ones too, whichever app asks: the pipeline is the process's
# (service.engine.get_nlp) and its memory zones must not interleave. Threads only wait on I/O.
ENGINE_LOCK = threading.Lock()


class CachedAnalyzer:
    """Serve results from the cache when present; analyse and store the rest."""

    def __init__(self, analyze_many: Analyzer, version: str, cache: ResultCache, timeout: float | None = None,
                 metrics: Metrics | None = None) -> None:
        self.analyze_many = analyze_many
        self.metrics = metrics
        self.timeout = timeout  # seconds of analysis before AnalysisTimeout (the view answers 503)
        self.version = version
        self.cache = cache
        self.engine_lock = ENGINE_LOCK

    def run(self, texts: list[str], offsets: str, sensitivity: str = "balanced") -> tuple[list[str], str]:
        """Serialised JSON results in input order, and the X-Cache value: hit, miss or off.

        Results stay serialised from cache to response, so a hit costs no JSON round trip.
        """
        keys = [cache_key(self.version, offsets, text, sensitivity) for text in texts]
        cached = [self.cache.get(key) for key in keys]
        missing = [i for i, value in enumerate(cached) if value is None]
        fresh: dict[int, dict] = {}
        if self.metrics is not None:
            self.metrics.cache_lookups(self.cache.backend, len(texts) - len(missing), len(missing))
        if missing:  # a full hit never waits for the engine
            with self.engine_lock, analysis_deadline(self.timeout):
                fresh = self._analyse([texts[i] for i in missing], missing, offsets, sensitivity)
        results = []
        for i, value in enumerate(cached):
            if value is None:
                value = json.dumps(fresh[i], separators=(",", ":"))
                self.cache.set(keys[i], value)
            results.append(value)
        if not self.cache.healthy():
            return results, "off"
        return results, "miss" if missing else "hit"

    def _analyse(self, texts: list[str], indices: list[int], offsets: str, sensitivity: str) -> dict[int, dict]:
        started = time.perf_counter()
        try:
            fresh = dict(zip(indices, self.analyze_many(texts, offsets, sensitivity=sensitivity)))
        except AnalysisTimeout:
            if self.metrics is not None:
                self.metrics.analysis_timeout()
            raise
        if self.metrics is not None:
            self.metrics.analysed(len(texts), sum(len(text) for text in texts), time.perf_counter() - started)
        return fresh
