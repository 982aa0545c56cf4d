"""Fault tests, each bounded in time: Redis dying or stalling, workers dying, hostile request bodies."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from .conftest import RedisServer, free_port
from .service_process import gunicorn, post, worker_pids

pytestmark = pytest.mark.slow


def test_redis_killed_mid_stream_then_restarted(redis_server: RedisServer) -> None:
    with gunicorn({"REDIS_URL": redis_server.url, "REDIS_RETRY_SECONDS": "0.5"}) as (base, _):
        statuses: list[int] = []
        done = threading.Event()

        def stream() -> None:
            n = 0
            while not done.is_set():
                statuses.append(post(base, {"text": f"Prices may rise {n} percent."}, timeout=10)[0])
                n += 1

        sender = threading.Thread(target=stream)
        sender.start()
        time.sleep(1.0)
        redis_server.stop()
        time.sleep(1.5)
        done.set()
        sender.join(timeout=20)
        assert len(statuses) > 5 and set(statuses) == {200}
        redis_server.start()
        time.sleep(1.0)
        deadline = time.monotonic() + 10
        caches = []
        while time.monotonic() < deadline and "hit" not in caches:
            caches.append(post(base, {"text": "Rates could fall again."})[1]["X-Cache"])
        assert "hit" in caches, caches


@pytest.fixture
def stalled_redis() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    listener.close()


def test_stalled_redis_costs_at_most_the_socket_timeout(stalled_redis: str) -> None:
    with gunicorn({"REDIS_URL": stalled_redis, "REDIS_TIMEOUT": "0.3", "RATE_LIMIT": "100 per minute"}) as (base, _):
        for n in range(4):
            started = time.monotonic()
            status, headers, _ = post(base, {"text": f"Talks may stall {n} times."}, timeout=10)
            assert status == 200 and headers["X-Cache"] == "off"
            assert time.monotonic() - started < 3.0


def test_killed_worker_does_not_stop_the_service() -> None:
    with gunicorn({"REDIS_URL": ""}) as (base, master):
        assert post(base, {"text": "Warm up."})[0] == 200
        workers = worker_pids(master.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        statuses = [post(base, {"text": f"Still here {n}."}, timeout=30)[0] for n in range(10)]
        assert statuses == [200] * 10


def _raw(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def test_oversized_truncated_and_slow_bodies_do_not_tie_up_the_service() -> None:
    with gunicorn({"REDIS_URL": "", "MAX_TEXT_CHARS": "1000"}) as (base, _):
        # oversized: refused from the headers alone
        big = _raw(base)
        big.sendall(b"POST /analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{")
        assert big.recv(200).startswith(b"HTTP/1.1 413")
        big.close()
        # truncated: the client promises more than it sends, then goes quiet or away
        truncated = _raw(base)
        truncated.sendall(b"POST /analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"text\": \"ab")
        truncated.shutdown(socket.SHUT_WR)
        # slow: bodies trickling in byte by byte
        slow_clients = []
        for _ in range(3):
            slow = _raw(base)
            slow.sendall(b"POST /analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{")
            slow_clients.append(slow)
        started = time.monotonic()
        for n in range(5):
            assert post(base, {"text": f"Normal request {n} may pass."}, timeout=10)[0] == 200
        assert time.monotonic() - started < 10
        for slow in slow_clients:
            slow.sendall(b" ")
            slow.close()
        truncated.close()
