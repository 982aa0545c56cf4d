"""Result cache: one interface, two backends (Redis, in-process LRU), never fatal."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis

log = logging.getLogger("sourcewise.cache")


def cache_key(version: str, offsets: str, text: str) -> str:
    """A key that changes with the engine version, the options and every character of the text."""
    digest = hashlib.sha256()
    for part in (version, offsets):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return "sourcewise:v1:" + digest.hexdigest()


class ResultCache(Protocol):
    """Get and set serialised results; ``status`` is 'ok', 'down' or 'disabled'."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def status(self) -> str: ...

    def healthy(self) -> bool: ...


class MemoryCache:
    """A thread-safe in-process LRU cache: the embedded default."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def status(self) -> str:
        return "ok"

    def healthy(self) -> bool:
        return True


class RedisCache:
    """Redis with a TTL and short timeouts; when Redis fails, requests go uncached.

    After a failure Redis is skipped for ``retry_seconds`` so a dead or stalled
    server costs at most one timeout per interval; the change of state is logged
    once, not per request.
    """

    def __init__(self, url: str, ttl: int, timeout: float, retry_seconds: float) -> None:
        self.ttl = ttl
        self.retry_seconds = retry_seconds
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False, health_check_interval=0
        )
        self._down_since: float | None = None
        self._lock = threading.Lock()

    def _available(self) -> bool:
        with self._lock:
            return self._down_since is None or time.monotonic() - self._down_since >= self.retry_seconds

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            if self._down_since is None:
                log.warning("Redis unavailable, serving uncached: %s", type(exc).__name__)
            self._down_since = time.monotonic()

    def _succeeded(self) -> None:
        with self._lock:
            if self._down_since is not None:
                log.warning("Redis available again, caching resumed")
            self._down_since = None

    def get(self, key: str) -> str | None:
        if not self._available():
            return None
        try:
            value = self.client.get(key)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._succeeded()
        return value.decode("utf-8") if value is not None else None

    def set(self, key: str, value: str) -> None:
        if not self._available():
            return
        try:
            self.client.set(key, value.encode("utf-8"), ex=self.ttl)
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return
        self._succeeded()

    def healthy(self) -> bool:
        with self._lock:
            return self._down_since is None

    def status(self) -> str:
        if not self._available():
            return "down"
        try:
            self.client.ping()
        except (redis.RedisError, OSError) as exc:
            self._failed(exc)
            return "down"
        self._succeeded()
        return "ok"


def make_cache(redis_url: str | None, ttl: int, size: int, timeout: float, retry_seconds: float) -> ResultCache:
    """Redis when a URL is configured, else the in-process LRU."""
    if redis_url:
        return RedisCache(redis_url, ttl=ttl, timeout=timeout, retry_seconds=retry_seconds)
    return MemoryCache(size)
