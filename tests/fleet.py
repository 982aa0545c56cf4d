"""A fleet on loopback, as a PaaS runs it: instances from the Procfile's command behind Debian's nginx, one redis-server.

Used by tests/test_fleet.py and bench/fleet_load.py. Every part is the real program; nothing listens
beyond 127.0.0.1. Clients can be told apart by their source address (any 127.x.y.z is loopback).
"""

from __future__ import annotations

import grp
import http.client
import itertools
import json
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import RedisServer, free_port
from .prometheus_text import Samples, parse
from .service_process import wait_ready, wait_workers, worker_pids

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
WORKERS_PER_INSTANCE = 2


def missing_tools() -> list[str]:
    """The Debian packages a fleet needs that are not installed."""
    missing = []
    if not (os.access(NGINX, os.X_OK) or shutil.which("nginx")):
        missing.append("nginx")
    if not shutil.which("redis-server"):
        missing.append("redis-server")
    return missing


def procfile_command() -> list[str]:
    """The Procfile's web command, with gunicorn run by this Python (the venv's)."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            argv = shlex.split(line.split(":", 1)[1])
            assert argv[0] == "gunicorn", argv
            return [sys.executable, "-m", "gunicorn", *argv[1:]]
    raise AssertionError("the Procfile has no web process")


_addresses = (f"127.0.{n // 250 + 1}.{n % 250 + 1}" for n in itertools.count())
_address_lock = threading.Lock()


def client_address() -> str:
    """A loopback address no other client of this process uses: a client of its own to the proxy and the rate limit."""
    with _address_lock:
        return next(_addresses)


class Instance:
    """One instance: gunicorn (Procfile command, 2 workers), its own process group and PROMETHEUS_MULTIPROC_DIR."""

    def __init__(self, name: str, env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.metrics_dir = workdir / f"metrics-{name}"
        self.log = workdir / f"gunicorn-{name}.log"
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "HOST": "127.0.0.1", "PORT": str(self.port),
                    "WEB_CONCURRENCY": str(WORKERS_PER_INSTANCE), "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir), **env}
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(procfile_command(), cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True)

    def wait(self) -> None:
        assert self.process is not None
        wait_ready(self.base, self.process, seconds=180)
        wait_workers(self.process.pid, WORKERS_PER_INSTANCE)

    def kill(self) -> None:
        """SIGKILL the master and its workers at once, as a crashed machine or an OOM kill would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid) if self.process else []

    def scrape(self, token: str | None = None) -> Samples:
        request = urllib.request.Request(self.base + "/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})
        with urllib.request.urlopen(request, timeout=15) as response:
            return parse(response.read().decode())


NGINX_CONF = """\
daemon off;
worker_processes 1;
{user}
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 2m;

    upstream sourcewise {{
        # round robin; an instance that fails is left out for 2 s, then tried again
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://sourcewise;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # An analysis is idempotent, so a POST whose instance died may be sent to another one.
            proxy_next_upstream error timeout http_502 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            # Buffering on (nginx's default), with buffers large enough to hold a whole streamed answer: only the
            # answer's X-Accel-Buffering: no makes nginx pass its lines on as they come (#16).
            proxy_buffering on;
            proxy_buffer_size 64k;
            proxy_buffers 16 64k;
            proxy_busy_buffers_size 128k;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    """Debian's nginx as the router, in the foreground, with its own prefix and config in ``workdir``."""

    def __init__(self, upstreams: list[str], workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir / "nginx"
        self.dir.mkdir(parents=True, exist_ok=True)
        user = ""
        if os.geteuid() == 0:  # as root nginx's workers would become 'nobody', who cannot enter pytest's private tmp dirs
            user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        servers = "\n".join(f"        server {address} max_fails=1 fail_timeout=2s;" for address in upstreams)
        self.conf = self.dir / "nginx.conf"
        self.conf.write_text(NGINX_CONF.format(user=user, dir=self.dir, servers=servers, port=self.port))
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = NGINX if os.access(NGINX, os.X_OK) else shutil.which("nginx")
        self.process = subprocess.Popen([binary, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.dir / "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited: " + (self.dir / "error.log").read_text(errors="replace")[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@dataclass
class Answer:
    """What one client saw for one request."""

    route: str
    status: int  # 0: the request failed (connection refused, reset, timed out)
    seconds: float
    started: float  # time.monotonic() when it was sent
    cache: str = "-"
    upstream: str = ""  # nginx's $upstream_addr: "a" or "a, b" when nginx retried on b
    error: str = ""
    body: bytes = b""

    @property
    def retried(self) -> bool:
        return "," in self.upstream

    @property
    def served_by(self) -> str:
        return self.upstream.split(",")[-1].strip()


@dataclass
class Client:
    """An HTTP client of the proxy, bound to its own loopback address."""

    port: int
    address: str = field(default_factory=client_address)
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 120

    def send(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout, source_address=(self.address, 0))
        try:
            connection.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            response = connection.getresponse()
            data = response.read()
            return Answer(path, response.status, time.monotonic() - started, started, response.getheader("X-Cache", "-"),
                          response.getheader("X-Upstream", ""), body=data)
        except (OSError, http.client.HTTPException) as exc:
            return Answer(path, 0, time.monotonic() - started, started, error=f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    def analyze(self, text: object, headers: dict[str, str] | None = None) -> Answer:
        return self.send("POST", "/analyze", json.dumps({"text": text}).encode(), {"Content-Type": "application/json", **(headers or {})})

    def batch(self, texts: list[str]) -> Answer:
        return self.send("POST", "/analyze/batch", json.dumps({"texts": texts}).encode(), {"Content-Type": "application/json"})


def run_load(make_request: Callable[[Client, int], Answer], clients: list[Client], stop: threading.Event,
             per_client: int | None = None, answers: list[Answer] | None = None) -> list[Answer]:
    """Each client sends requests one after another (``make_request(client, n)``) until ``stop`` is set or it sent ``per_client``.

    Answers are appended to ``answers`` as they come (a list another thread may watch).
    """
    answers = [] if answers is None else answers
    lock = threading.Lock()

    def loop(client: Client) -> None:
        for n in itertools.count():
            if stop.is_set() or (per_client is not None and n >= per_client):
                return
            answer = make_request(client, n)
            with lock:
                answers.append(answer)

    threads = [threading.Thread(target=loop, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers, key=lambda answer: answer.started)


class Background:
    """``run_load`` in a thread: start it, act on the fleet, then ``finish()`` for the answers."""

    def __init__(self, make_request: Callable[[Client, int], Answer], clients: list[Client]) -> None:
        self.stop = threading.Event()
        self.answers: list[Answer] = []  # grows while the load runs
        self._thread = threading.Thread(target=run_load, args=(make_request, clients, self.stop, None, self.answers), daemon=True)
        self._thread.start()

    def wait_for(self, condition: Callable[[list[Answer]], bool], seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition(list(self.answers)):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.1)

    def finish(self) -> list[Answer]:
        self.stop.set()
        self._thread.join(timeout=300)
        return sorted(self.answers, key=lambda answer: answer.started)


class Fleet:
    """Two instances behind nginx, one Redis; ``env`` is every instance's extra environment."""

    def __init__(self, workdir: Path, env: dict[str, str], instances: int = 2) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "redis").mkdir(exist_ok=True)
        self.redis = RedisServer(workdir / "redis")
        common = {"REDIS_URL": self.redis.url, "TRUSTED_PROXY_HOPS": "1", **env}
        self.instances = [Instance(chr(ord("a") + i), common, workdir) for i in range(instances)]
        self.nginx = Nginx([instance.address for instance in self.instances], workdir)

    def start(self) -> None:
        self.redis.start()
        for instance in self.instances:  # in parallel: each preloads the model
            instance.start()
        for instance in self.instances:
            instance.wait()
        self.nginx.start()

    def stop(self) -> None:
        self.nginx.stop()
        for instance in self.instances:
            instance.stop()
        self.redis.stop()

    def client(self, **headers: str) -> Client:
        return Client(self.nginx.port, headers=headers)

    def scrape(self, token: str | None = None) -> list[Samples]:
        return [instance.scrape(token) for instance in self.instances]

    def instance_at(self, address: str) -> Instance:
        return next(instance for instance in self.instances if instance.address == address)


def started_fleet(workdir: Path, env: dict[str, str]) -> Iterator[Fleet]:
    """A started fleet, stopped (every process) afterwards."""
    fleet = Fleet(workdir, env)
    try:
        fleet.start()
        yield fleet
    finally:
        fleet.stop()
