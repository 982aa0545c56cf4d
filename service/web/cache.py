"""Result cache: one interface, two backends (Redis, an embedded disk cache), never fatal."""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Protocol

import diskcache
import redis

from .settings import Settings

log = logging.getLogger("sourcewise.cache")


def cache_key(version: str, offsets: str, text: str, sensitivity: str = "balanced") -> str:
    """A key that changes with the engine version (its label weights too), the options and every character of the text."""
    digest = hashlib.sha256()
    for part in (version, offsets, sensitivity):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    digest.update(text.encode("utf-8", "surrogatepass"))
    return "sourcewise:v2:" + digest.hexdigest()


class ResultCache(Protocol):
    """Get and set serialised results; ``backend`` names it ('disk', 'redis'), ``status`` is 'ok' or 'down'."""

    backend: str

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def status(self) -> str: ...

    def healthy(self) -> bool: ...


class _Outage:
    """Tracks whether a backend is down; logs each change of state once and spaces out retries."""

    def __init__(self, what: str, retry_seconds: float, on_error: Callable[[], None] | None = None) -> None:
        self.what = what
        self.retry_seconds = retry_seconds
        self.on_error = on_error  # called on every failed operation (the error metric)
        self._down_since: float | None = None
        self._lock = threading.Lock()

    def may_try(self) -> bool:
        with self._lock:
            return self._down_since is None or time.monotonic() - self._down_since >= self.retry_seconds

    def failed(self, exc: BaseException) -> None:
        if self.on_error is not None:
            self.on_error()
        with self._lock:
            if self._down_since is None:
                log.warning("%s unavailable, serving uncached: %s: %s", self.what, type(exc).__name__, exc)
            self._down_since = time.monotonic()

    def succeeded(self) -> None:
        with self._lock:
            if self._down_since is not None:
                log.warning("%s available again, caching resumed", self.what)
            self._down_since = None

    def up(self) -> bool:
        with self._lock:
            return self._down_since is None


# What a broken cache directory raises: missing and not creatable, read-only, full (SQLITE_FULL, ENOSPC), corrupt.
DISK_ERRORS = (OSError, sqlite3.Error)


class DiskCache:
    """The embedded cache: a size-bounded SQLite cache in a directory, shared by every worker of one instance.

    Each process opens its own connection on first use: gunicorn preloads the app in the master and
    forks the workers, and a SQLite connection must not cross a fork. Least recently used results
    are evicted beyond ``size_limit`` bytes. A directory that cannot be created, is read-only, full or
    corrupt makes requests uncached (logged once); opening is tried again after ``retry_seconds``.
    """

    backend = "disk"

    def __init__(self, directory: str, size_limit: int, ttl: int, retry_seconds: float = 30.0, timeout: float = 1.0,
                 on_error: Callable[[], None] | None = None) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self.ttl = ttl
        self.timeout = timeout
        self._outage = _Outage(f"Disk cache in {directory}", retry_seconds, on_error)
        self._cache: diskcache.Cache | None = None
        self._pid: int | None = None
        self._lock = threading.Lock()

    def _open(self) -> diskcache.Cache | None:
        """This process's cache, opened on first use; None while the directory is unusable."""
        with self._lock:
            if self._cache is not None and self._pid == os.getpid():
                return self._cache
            self._cache = None  # inherited across a fork, or failed: never reuse it
            if not self._outage.may_try():
                return None
            try:
                self._cache = diskcache.Cache(self.directory, timeout=self.timeout, size_limit=self.size_limit,
                                              eviction_policy="least-recently-used")
            except DISK_ERRORS as exc:
                self._outage.failed(exc)
                return None
            self._pid = os.getpid()
            return self._cache

    def _failed(self, cache: diskcache.Cache, exc: BaseException) -> None:
        self._outage.failed(exc)
        with self._lock:
            if self._cache is cache:
                self._cache = None
        try:
            cache.close()
        except DISK_ERRORS:
            pass

    def get(self, key: str) -> str | None:
        cache = self._open()
        if cache is None:
            return None
        try:
            value = cache.get(key)
        except diskcache.Timeout:  # another worker holds the write lock too long: a miss, not an outage
            return None
        except DISK_ERRORS as exc:
            self._failed(cache, exc)
            return None
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        cache = self._open()
        if cache is None:
            return
        try:
            cache.set(key, value, expire=self.ttl)
        except diskcache.Timeout:
            return
        except DISK_ERRORS as exc:
            self._failed(cache, exc)
            return
        self._outage.succeeded()  # only a write proves the cache works again (a full disk still reads)

    def healthy(self) -> bool:
        return self._outage.up()

    def status(self) -> str:
        return "ok" if self._open() is not None and self._outage.up() else "down"


class RedisCache:
    """Redis with a TTL and short timeouts; when Redis fails, requests go uncached.

    After a failure Redis is skipped for ``retry_seconds`` so a dead or stalled
    server costs at most one timeout per interval; the change of state is logged
    once, not per request.
    """

    backend = "redis"

    def __init__(self, url: str, ttl: int, timeout: float, retry_seconds: float, on_error: Callable[[], None] | None = None) -> None:
        self.ttl = ttl
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False, health_check_interval=0
        )
        self._outage = _Outage("Redis", retry_seconds, on_error)

    def get(self, key: str) -> str | None:
        if not self._outage.may_try():
            return None
        try:
            value = self.client.get(key)
        except (redis.RedisError, OSError) as exc:
            self._outage.failed(exc)
            return None
        self._outage.succeeded()
        return value.decode("utf-8") if value is not None else None

    def set(self, key: str, value: str) -> None:
        if not self._outage.may_try():
            return
        try:
            self.client.set(key, value.encode("utf-8"), ex=self.ttl)
        except (redis.RedisError, OSError) as exc:
            self._outage.failed(exc)
            return
        self._outage.succeeded()

    def healthy(self) -> bool:
        return self._outage.up()

    def status(self) -> str:
        if not self._outage.may_try():
            return "down"
        try:
            self.client.ping()
        except (redis.RedisError, OSError) as exc:
            self._outage.failed(exc)
            return "down"
        self._outage.succeeded()
        return "ok"


def make_cache(settings: Settings, on_error: Callable[[str], None] | None = None) -> ResultCache:
    """Redis when REDIS_URL is set (several instances), else the embedded disk cache in CACHE_DIR.

    ``on_error(backend)`` is called on every failed cache operation.
    """
    if settings.redis_url:
        return RedisCache(settings.redis_url, ttl=settings.cache_ttl, timeout=settings.redis_timeout, retry_seconds=settings.redis_retry_seconds,
                          on_error=(lambda: on_error("redis")) if on_error else None)
    return DiskCache(settings.cache_dir, size_limit=settings.cache_size_mb * 1024 * 1024, ttl=settings.cache_ttl,
                     on_error=(lambda: on_error("disk")) if on_error else None)
