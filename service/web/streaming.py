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
from collections.abc import Callable, Iterator

from ..engine.limits import AnalysisTimeout, analysis_deadline
from .cache import ResultCache, cache_key
from .errors import INTERNAL_ERROR, TIMEOUT_ERROR

log = logging.getLogger("sourcewise.stream")
MEDIA_TYPE = "application/x-ndjson"
StreamAnalyzer = Callable[[str, str], Iterator[dict]]
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
    yield line({"summary": result["summary"], "model": result["model"], "offsets": result["offsets"]})


def whole_result(parts: list[dict]) -> dict:
    """The plain answer the streamed parts add up to (same keys, same order as ``analysis.gather``)."""
    final = parts[-1]
    sentences = [s for part in parts[:-1] for s in part["sentences"]]
    return {"model": final["model"], "offsets": final["offsets"], "sentences": sentences, "summary": final["summary"]}


class StreamedAnalysis:
    """Streams one text's analysis, serialised with the plain path by the same engine lock."""

    def __init__(self, analyze_stream: StreamAnalyzer, version: str, cache: ResultCache, engine_lock: threading.Lock,
                 timeout: float | None) -> None:
        self.analyze_stream = analyze_stream
        self.version = version
        self.cache = cache
        self.engine_lock = engine_lock
        self.timeout = timeout

    def lines(self, text: str, offsets: str) -> tuple[Iterator[bytes], str]:
        """The response lines and the X-Cache value (hit, miss or off)."""
        key = cache_key(self.version, offsets, text)
        cached = self.cache.get(key)
        status = "off" if not self.cache.healthy() else "hit" if cached is not None else "miss"
        if cached is not None:
            return cached_lines(cached), status
        return self._fresh(key, text, offsets), status

    def _produce(self, text: str, offsets: str, out: queue.Queue, cancelled: threading.Event) -> None:
        try:
            with self.engine_lock, analysis_deadline(self.timeout):
                parts = self.analyze_stream(text, offsets)
                try:
                    for part in parts:
                        out.put(part)
                        if cancelled.is_set():
                            return
                finally:
                    parts.close()  # leaves the engine's memory zone at once when the client has gone
            out.put(_DONE)
        except AnalysisTimeout:
            out.put(error_line(*TIMEOUT_ERROR))
        except Exception as exc:  # noqa: BLE001  (the stream has started: the error can only be a last line)
            log.error("Unexpected error while streaming: %s", type(exc).__name__)
            out.put(error_line(*INTERNAL_ERROR))

    def _fresh(self, key: str, text: str, offsets: str) -> Iterator[bytes]:
        out: queue.Queue = queue.Queue()
        cancelled = threading.Event()
        producer = threading.Thread(target=self._produce, args=(text, offsets, out, cancelled), name="sourcewise-stream", daemon=True)
        producer.start()
        parts: list[dict] = []
        try:
            while (item := out.get()) is not _DONE:
                if isinstance(item, bytes):  # an error: the last line, nothing cached
                    yield item
                    return
                parts.append(item)
                yield line(item)
            # The server asked for more after writing the summary line: the stream is complete.
            self.cache.set(key, json.dumps(whole_result(parts), separators=(",", ":")))
        finally:
            cancelled.set()
