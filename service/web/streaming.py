"""A streamed analysis (#16): one NDJSON line per analysed chunk, then the summary, through the cache.

The engine runs in a producer thread holding the analyser's engine lock and deadline, and puts each
chunk's line on a queue; the response iterates the queue. So the engine never waits on a slow client,
and a client that goes away (the server closes the response iterator) stops the analysis after the
chunk in hand. Only a stream whose last line was handed to the server fills the cache.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator

from ..engine.limits import AnalysisTimeout, analysis_deadline
from .cache import ResultCache, cache_key
from .errors import INTERNAL_ERROR, TIMEOUT_ERROR
from .metrics import Metrics

log = logging.getLogger("sourcewise.stream")
MEDIA_TYPE = "application/x-ndjson"
StreamAnalyzer = Callable[..., Iterator[dict]]  # analyze_stream(text, offsets, sensitivity=...)
_DONE = object()


def line(part: dict) -> bytes:
    """One NDJSON line."""
    return (json.dumps(part, separators=(",", ":")) + "\n").encode("utf-8")


def error_line(code: str, message: str) -> bytes:
    return line({"error": {"code": code, "message": message}})


def cached_lines(cached: str) -> Iterator[bytes]:
    """A cached result as a stream: all its sentences in one line, then the summary line."""
    result = json.loads(cached)
    if result["sentences"]:
        yield line({"sentences": result["sentences"]})
    yield line({"summary": result["summary"], "model": result["model"], "offsets": result["offsets"], "sensitivity": result["sensitivity"]})


def whole_result(parts: list[dict]) -> dict:
    """The plain answer the streamed parts add up to (same keys, same order as ``analysis.gather``)."""
    final = parts[-1]
    sentences = [s for part in parts[:-1] for s in part["sentences"]]
    return {"model": final["model"], "offsets": final["offsets"], "sensitivity": final["sensitivity"], "sentences": sentences, "summary": final["summary"]}


class StreamedAnalysis:
    """Streams one text's analysis, serialised with the plain path by the same engine lock."""

    def __init__(self, analyze_stream: StreamAnalyzer, version: str, cache: ResultCache, engine_lock: threading.Lock,
                 timeout: float | None, metrics: Metrics | None = None) -> None:
        self.analyze_stream = analyze_stream
        self.metrics = metrics
        self.version = version
        self.cache = cache
        self.engine_lock = engine_lock
        self.timeout = timeout

    def lines(self, text: str, offsets: str, sensitivity: str = "balanced") -> tuple[Iterator[bytes], str]:
        """The response lines and the X-Cache value (hit, miss or off)."""
        key = cache_key(self.version, offsets, text, sensitivity)
        cached = self.cache.get(key)
        status = "off" if not self.cache.healthy() else "hit" if cached is not None else "miss"
        if self.metrics is not None:
            self.metrics.cache_lookups(self.cache.backend, int(cached is not None), int(cached is None))
        if cached is not None:
            return cached_lines(cached), status
        return self._fresh(key, text, offsets, sensitivity, time.perf_counter()), status

    def _produce(self, text: str, offsets: str, sensitivity: str, out: queue.Queue, cancelled: threading.Event) -> None:
        try:
            with self.engine_lock, analysis_deadline(self.timeout):
                started = time.perf_counter()
                parts = self.analyze_stream(text, offsets, sensitivity=sensitivity)
                try:
                    for part in parts:
                        out.put(part)
                        if cancelled.is_set():
                            return
                finally:
                    parts.close()  # leaves the engine's memory zone at once when the client has gone
                if self.metrics is not None:
                    self.metrics.analysed(1, len(text), time.perf_counter() - started)
            out.put(_DONE)
        except AnalysisTimeout:
            if self.metrics is not None:
                self.metrics.analysis_timeout()
            out.put(error_line(*TIMEOUT_ERROR))
        except Exception as exc:  # noqa: BLE001  (the stream has started: the error can only be a last line)
            log.error("Unexpected error while streaming: %s", type(exc).__name__)
            out.put(error_line(*INTERNAL_ERROR))

    def _fresh(self, key: str, text: str, offsets: str, sensitivity: str, asked: float) -> Iterator[bytes]:
        out: queue.Queue = queue.Queue()
        cancelled = threading.Event()
        producer = threading.Thread(target=self._produce, args=(text, offsets, sensitivity, out, cancelled), name="sourcewise-stream", daemon=True)
        producer.start()
        parts: list[dict] = []
        outcome = "client_gone"  # unless the loop below reaches an end
        try:
            while (item := out.get()) is not _DONE:
                if isinstance(item, bytes):  # an error: the last line, nothing cached
                    outcome = "error"
                    yield item
                    return
                if not parts and self.metrics is not None:
                    self.metrics.stream_first_line(time.perf_counter() - asked)
                parts.append(item)
                yield line(item)
            # The server asked for more after writing the summary line: the stream is complete.
            outcome = "complete"
            self.cache.set(key, json.dumps(whole_result(parts), separators=(",", ":")))
        finally:
            cancelled.set()
            if self.metrics is not None:
                self.metrics.stream_ended(outcome)
