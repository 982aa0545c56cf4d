"""Analyse texts through the cache: the glue between the views and the engine."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator

from ..engine.limits import analysis_deadline
from .cache import ResultCache, cache_key

Analyzer = Callable[[Iterable[str], str], Iterator[dict]]


class CachedAnalyzer:
    """Serve results from the cache when present; analyse and store the rest."""

    def __init__(self, analyze_many: Analyzer, version: str, cache: ResultCache, timeout: float | None = None) -> None:
        self.analyze_many = analyze_many
        self.timeout = timeout  # seconds of analysis before AnalysisTimeout (the view answers 503)
        self.version = version
        self.cache = cache
        self.engine_lock = threading.Lock()  # one analysis at a time per process (streamed ones too); threads only wait on I/O

    def run(self, texts: list[str], offsets: str) -> tuple[list[str], str]:
        """Serialised JSON results in input order, and the X-Cache value: hit, miss or off.

        Results stay serialised from cache to response, so a hit costs no JSON round trip.
        """
        keys = [cache_key(self.version, offsets, text) for text in texts]
        cached = [self.cache.get(key) for key in keys]
        missing = [i for i, value in enumerate(cached) if value is None]
        fresh: dict[int, dict] = {}
        if missing:  # a full hit never waits for the engine
            with self.engine_lock, analysis_deadline(self.timeout):
                fresh = dict(zip(missing, self.analyze_many([texts[i] for i in missing], offsets)))
        results = []
        for i, value in enumerate(cached):
            if value is None:
                value = json.dumps(fresh[i], separators=(",", ":"))
                self.cache.set(keys[i], value)
            results.append(value)
        if not self.cache.healthy():
            return results, "off"
        return results, "miss" if missing else "hit"
