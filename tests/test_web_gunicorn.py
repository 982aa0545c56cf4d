"""The service as users run it: gunicorn on a real socket, with the embedded disk cache and with Redis."""

from __future__ import annotations

import os
import signal
import stat
import time
import urllib.request
from pathlib import Path

import pytest

from service.web.cache import DiskCache

from .conftest import RedisServer
from .service_process import gunicorn, post, worker_pids

pytestmark = pytest.mark.slow


def _ready(base: str) -> dict:
    import json

    with urllib.request.urlopen(base + "/ready", timeout=10) as response:
        return json.loads(response.read())


def _replace_workers(master_pid: int, seconds: float = 60) -> None:
    """SIGKILL every worker and wait until the master has forked two new ones: no process that computed anything is left."""
    old = set(worker_pids(master_pid))
    assert len(old) == 2
    for pid in old:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        current = set(worker_pids(master_pid))
        if len(current) == 2 and not current & old:
            return
        time.sleep(0.2)
    raise AssertionError("gunicorn did not replace its workers")


def test_embedded_cache_is_shared_by_every_worker_and_survives_a_restart(seed_fixture: dict, own_cache_dir: Path) -> None:
    """#11: 2 workers, no Redis: 8 identical calls compute once; fresh workers and a restarted service still hit."""
    text = seed_fixture["text"]
    with gunicorn({"REDIS_URL": "", "CACHE_DIR": str(own_cache_dir)}) as (base, master):
        statuses = []
        for _ in range(8):
            status, headers, body = post(base, {"text": text})
            assert status == 200 and body["summary"]["speculative"] >= 1
            statuses.append(headers["X-Cache"])
        assert statuses == ["miss"] + ["hit"] * 7
        _replace_workers(master.pid)
        status, headers, _ = post(base, {"text": text})
        assert (status, headers["X-Cache"]) == (200, "hit")  # answered by a worker that never analysed it
        assert _ready(base)["cache"] == {"backend": "disk", "status": "ok"}
        status, _, body = post(base, {"text": 5})
        assert status == 400 and body["error"]["code"] == "bad_text"
    with gunicorn({"REDIS_URL": "", "CACHE_DIR": str(own_cache_dir)}) as (base, _):
        status, headers, body = post(base, {"text": text})
        assert (status, headers["X-Cache"]) == (200, "hit")
        assert body["summary"]["speculative"] >= 1


def test_read_only_cache_directory_answers_uncached(seed_fixture: dict, tmp_path: Path) -> None:
    """#11: a cache directory the service may not write (here one that already holds results) serves 200, X-Cache: off."""
    directory = tmp_path / "read-only-cache"
    DiskCache(str(directory), size_limit=2**20, ttl=60).set("sourcewise:v1:x", "{}")
    paths = [directory, *directory.iterdir()]
    for path in paths:
        path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    # root writes anywhere; without CAP_DAC_OVERRIDE it obeys the permission bits like any user
    prefix = ("setpriv", "--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search") if os.geteuid() == 0 else ()
    try:
        with gunicorn({"REDIS_URL": "", "CACHE_DIR": str(directory)}, prefix=prefix) as (base, _):
            for _ in range(3):
                status, headers, body = post(base, {"text": seed_fixture["text"]})
                assert (status, headers["X-Cache"]) == (200, "off")
                assert body["summary"]["speculative"] >= 1
            assert _ready(base)["cache"] == {"backend": "disk", "status": "down"}
    finally:
        for path in paths:
            if path.exists():  # SQLite removes its -wal and -shm files when the last connection closes
                path.chmod(stat.S_IRWXU)


def test_gunicorn_with_redis_shares_the_cache(redis_server: RedisServer, seed_fixture: dict) -> None:
    with gunicorn({"REDIS_URL": redis_server.url}) as (base, _):
        first = post(base, {"text": seed_fixture["text"]})
        second = post(base, {"text": seed_fixture["text"]})
        assert (first[1]["X-Cache"], second[1]["X-Cache"]) == ("miss", "hit")
        redis_server.stop()
        status, headers, _ = post(base, {"text": "Another text may differ."})
        assert status == 200 and headers["X-Cache"] == "off"
