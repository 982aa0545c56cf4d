"""The embedded disk cache in process: /ready, size bound and LRU eviction, and broken directories never failing a request (#11)."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import diskcache
import pytest
from flask.testing import FlaskClient

from service.web import create_app
from service.web.cache import DiskCache
from service.web.settings import Settings


def _client(directory: Path) -> FlaskClient:
    return create_app(Settings(rate_limit=None, cache_dir=str(directory))).test_client()


def _uncached_and_logged_once(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="sourcewise.cache"):
        for n in range(4):
            response = client.post("/analyze", json={"text": "Experts say the dam may fail."})
            assert response.status_code == 200, n
            assert response.get_json()["summary"]["speculative"] == 1
            assert response.headers["X-Cache"] == "off"
    assert client.get("/ready").get_json()["cache"] == {"backend": "disk", "status": "down"}
    warnings = [r.getMessage() for r in caplog.records if r.name == "sourcewise.cache"]
    assert len(warnings) == 1 and "serving uncached" in warnings[0]


def test_ready_names_the_disk_cache_and_it_fills_the_directory(tmp_path: Path) -> None:
    client = _client(tmp_path / "created-on-first-use")
    ready = client.get("/ready").get_json()
    assert ready["cache"] == {"backend": "disk", "status": "ok"} and ready["redis"] == "disabled"
    first = client.post("/analyze", json={"text": "Prices may rise."})
    second = _client(tmp_path / "created-on-first-use").post("/analyze", json={"text": "Prices may rise."})  # another app, same directory
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("miss", "hit")
    assert (tmp_path / "created-on-first-use" / "cache.db").is_file()


def test_settings_read_cache_dir_and_size_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"CACHE_DIR": str(tmp_path), "CACHE_SIZE_MB": "3"})
    assert (settings.cache_dir, settings.cache_size_mb) == (str(tmp_path), 3)
    assert Settings.from_env({}).cache_dir.endswith("sourcewise")  # the user's cache directory


def test_corrupt_cache_directory_answers_uncached(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "cache.db").write_bytes(b"this is not a SQLite database\n" * 100)
    _uncached_and_logged_once(_client(tmp_path), caplog)


def test_cache_directory_that_cannot_be_created_answers_uncached(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    _uncached_and_logged_once(_client(tmp_path / "a-file" / "cache"), caplog)


def test_full_cache_answers_uncached(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """SQLite's own limit stands in for a full disk: every write fails with SQLITE_FULL ('database or disk is full')."""
    DiskCache(str(tmp_path), size_limit=2**20, ttl=60).set("sourcewise:v1:warm", "{}")
    pages = sqlite3.connect(tmp_path / "cache.db").execute("PRAGMA page_count").fetchone()[0]
    full = diskcache.Cache(str(tmp_path), sqlite_max_page_count=pages)  # kept in the cache's settings, applied to every connection
    with pytest.raises(sqlite3.OperationalError, match="full"):
        for n in range(10_000):  # small entries, until no page has room for even one more
            full.set(f"filler-{n}", "f" * 50)
    full.close()
    _uncached_and_logged_once(_client(tmp_path), caplog)


def test_size_bound_evicts_the_least_recently_used(tmp_path: Path) -> None:
    cache = DiskCache(str(tmp_path), size_limit=256 * 1024, ttl=60)
    cache.set("kept", "k" * 4000)
    for n in range(400):  # about 1.6 MB written into a 256 KB cache
        cache.set(f"key-{n}", str(n) * 4000)
        assert cache.get("kept") is not None, n  # read often: the most recently used survives every cull
    assert cache.get("key-0") is None and cache.get("key-399") is not None
    volume = diskcache.Cache(str(tmp_path)).volume()
    assert volume <= 2 * 256 * 1024, volume  # diskcache culls up to ten entries per write, so it stays near the bound
    assert cache.healthy()


def test_no_connection_is_opened_before_use_and_none_crosses_a_fork(tmp_path: Path) -> None:
    """gunicorn preloads the app in the master and forks: the master must not hold a SQLite connection for the workers."""
    cache = DiskCache(str(tmp_path), size_limit=2**20, ttl=60)
    assert not (tmp_path / "cache.db").exists()  # constructing opens nothing
    cache.set("parent", "p")
    cache_in_parent = cache._open()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own connection, the parent's entries visible, its writes visible to the parent
        try:
            ok = cache.get("parent") == "p" and cache._open() is not cache_in_parent
            cache.set("child", "c")
            os.write(write, b"1" if ok and cache.healthy() else b"0")
        finally:
            os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)
    assert cache.get("child") == "c"
