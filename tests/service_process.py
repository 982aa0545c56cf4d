"""Run the service under gunicorn on a real socket, as users and PaaS platforms do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def wait_ready(base: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited early")
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def wait_workers(master_pid: int, count: int, seconds: float = 30) -> None:
    """Wait until ``count`` workers run: /health answers as soon as the first one does, the others may still be forking."""
    deadline = time.monotonic() + seconds
    while len(worker_pids(master_pid)) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start {count} workers")
        time.sleep(0.2)


def post(base: str, payload: dict, timeout: float = 30) -> tuple[int, dict, dict]:
    """POST /analyze; returns status, headers and JSON body, for errors too."""
    request = urllib.request.Request(base + "/analyze", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@contextmanager
def gunicorn(env_extra: dict[str, str], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, subprocess.Popen]]:
    """gunicorn with the repo's gunicorn.conf.py on a free port, every worker started; yields (base URL, master process).

    ``prefix`` runs it through another command (e.g. setpriv to drop root's file-permission override).
    """
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "WEB_CONCURRENCY": "2", "RATE_LIMIT": "off", **env_extra}
    process = subprocess.Popen([*prefix, sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "service.web.wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        wait_workers(process.pid, int(env["WEB_CONCURRENCY"]))
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn workers: processes whose parent is the master."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == master_pid:
            children.append(int(entry.name))
    return children
