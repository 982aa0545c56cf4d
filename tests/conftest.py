"""Shared fixtures: the seed article, the labelled corpora (or a skip), a cache directory per test, a real redis-server."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from hypothesis import settings

# CI runs a fixed set of generated examples, so a red build is reproducible; set
# HYPOTHESIS_PROFILE=explore to search new ones (as was done: 1 500 examples, two bugs found and fixed).
settings.register_profile("ci", derandomize=True, print_blob=True, max_examples=60)
settings.register_profile("explore", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGES = Path(__file__).resolve().parent / "pages"
# CI (.ci/run) sets this: there the corpora are present, and a missing one is a failure, not a skip.
REQUIRE_CORPORA = "SOURCEWISE_REQUIRE_CORPORA"

# Nothing a test starts (apps built at import time, gunicorn, the CLI) writes to the user's own cache:
# a temporary CACHE_DIR for the session, and an empty one per test (the `own_cache_dir` fixture).
_SESSION_CACHE = tempfile.mkdtemp(prefix="sourcewise-test-cache-")
os.environ["CACHE_DIR"] = _SESSION_CACHE
atexit.register(shutil.rmtree, _SESSION_CACHE, True)
os.environ["FEEDBACK_DB"] = os.path.join(_SESSION_CACHE, "feedback.sqlite3")  # nor to the user's data directory (#17)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def own_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty embedded-cache directory for each test (CACHE_DIR), so no test sees another's results."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CACHE_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def own_feedback_db(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A feedback database path of each test's own (FEEDBACK_DB), not yet created (#17)."""
    path = tmp_path_factory.mktemp("feedback") / "feedback.sqlite3"
    monkeypatch.setenv("FEEDBACK_DB", str(path))
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared with every labelled corpus the accuracy table reads; skips with the reason when one is absent.

    The corpora are public but not ours to ship (#11); with SOURCEWISE_REQUIRE_CORPORA=1 (CI) a missing one fails.
    """
    from service.evaluation import missing_data

    missing = missing_data(SHARED)
    if missing:
        reason = f"needs the labelled public corpora in {SHARED}, not shipped (`sourcewise evaluate` says where each comes from): " \
                 f"missing {', '.join(n.path for n in missing)}"
        if os.environ.get(REQUIRE_CORPORA) == "1":
            pytest.fail(f"{reason} — {REQUIRE_CORPORA}=1 requires them")
        pytest.skip(reason)
    return SHARED


@pytest.fixture(scope="session")
def seed_fixture() -> dict:
    return json.loads((FIXTURES / "seed_article.json").read_text(encoding="utf-8"))


class RedisServer:
    """A real redis-server on a free port, which tests may stop and start again."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                client.ping()
                return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# Sentences of our own on which the shipped learned labels (#15) disagree with the reader guide: each test id in
# tests/known_label_errors.txt is an expected failure, strictly (a new model that gets it right turns it red,
# so the list is kept to what the shipped weights really miss). `python -m pytest --runxfail` shows them as failures.
KNOWN_LABEL_ERRORS = Path(__file__).resolve().parent / "known_label_errors.txt"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    known = {line.strip() for line in KNOWN_LABEL_ERRORS.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}
    for item in items:
        if item.nodeid in known:
            item.add_marker(pytest.mark.xfail(strict=True, reason="a known error of the shipped learned labels (tests/known_label_errors.txt)"))


# The browser tests on the six saved real pages (tests/pages).
@pytest.fixture(scope="module")
def pages_base() -> Iterator[str]:
    """The saved pages of ``tests/pages`` served on 127.0.0.1 (``real_pages.page_url`` makes their URLs)."""
    from .real_pages import serve_pages

    with serve_pages() as base:
        yield base


@pytest.fixture
def saved_context(tmp_path: Path) -> Iterator:
    """Chromium with the extension, reaching nothing but 127.0.0.1; a fresh browser per test (an MV3 service worker
    left idle is stopped, and one page's crash stays its own)."""
    from .chromium_extension import saved_page_context

    with saved_page_context(tmp_path / "profile") as context:
        yield context
