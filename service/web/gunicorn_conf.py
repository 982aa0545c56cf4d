"""Gunicorn settings from the environment: PORT, WEB_CONCURRENCY, HOST, GUNICORN_* ."""

import ctypes
import os

from . import metrics as _metrics
from .settings import Settings as _Settings

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads read request bodies concurrently, so a slow client ties up one thread, not a worker;
# analysis itself is serialised per worker (service/web/service.py).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
preload_app = True  # load the spaCy model once in the master; workers share it copy-on-write
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 10
keepalive = 5
accesslog = None  # the app writes its own request log line, without the submitted text
errorlog = "-"
# A second bound on memory (#12): each worker is replaced after this many requests, at staggered
# times; with the model preloaded in the master, a new worker is a fork, ready at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "100"))

# Metrics (#18): every worker of this instance writes its counts to PROMETHEUS_MULTIPROC_DIR (a private
# temporary directory when unset). It must be set before prometheus_client is first imported, i.e. here,
# before gunicorn preloads the app; it is emptied in on_starting, so a restarted instance counts from zero.
_METRICS_DIR_OURS = _metrics.choose_multiprocess_dir()
_METRICS_ON = _Settings.from_env().metrics_enabled


def on_starting(server) -> None:  # noqa: ARG001  (gunicorn's hook signatures, here and below)
    _metrics.empty_multiprocess_dir()


def on_exit(server) -> None:  # noqa: ARG001
    if _METRICS_DIR_OURS:
        _metrics.remove_multiprocess_dir()


def post_fork(server, worker) -> None:  # noqa: ARG001
    from service.engine.labeller import encoder

    encoder().start_session()  # this worker's own ONNX Runtime session and threads, before its first request (#15)
    if _METRICS_ON:
        _metrics.METRICS.worker_memory(_metrics.rss_bytes())


def child_exit(server, worker) -> None:  # noqa: ARG001
    _metrics.mark_process_dead(worker.pid)


# The firm bound on memory (#12): after a request, a worker past WORKER_MAX_RSS_MB finishes what it
# has in hand and exits; the master forks a fresh one. (Memory zones keep the vocabulary flat, but
# spaCy's hash tables and the C heap still grow a little with every new word.)
_MAX_RSS_MB = float(os.environ.get("WORKER_MAX_RSS_MB", "400"))
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE / 2**20
    except OSError:  # not Linux: no bound but max_requests
        return 0.0


def _return_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc keeps them after a long text: ~500 MB → ~230 MB)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def post_request(worker, req, environ, resp) -> None:  # noqa: ARG001  (gunicorn's hook signature)
    """Retire a worker whose resident memory stays past ``WORKER_MAX_RSS_MB`` once free memory is returned; count replacements."""
    if _METRICS_ON:
        _metrics.METRICS.worker_memory(_rss_mb() * 2**20)
    if not worker.alive and worker.nr >= worker.max_requests:  # gunicorn retires it after this request
        _count_replacement(worker, "max_requests")
    if not _MAX_RSS_MB or not worker.alive or _rss_mb() <= _MAX_RSS_MB:
        return
    _return_free_memory()
    if _rss_mb() > _MAX_RSS_MB:
        worker.log.info("Worker %s uses %.0f MB (limit %.0f MB): replacing it", worker.pid, _rss_mb(), _MAX_RSS_MB)
        worker.alive = False
        _count_replacement(worker, "memory")


def _count_replacement(worker, reason: str) -> None:
    """Once per worker: several threads may finish requests after it was told to retire."""
    if not getattr(worker, "_sourcewise_retiring", False):
        worker._sourcewise_retiring = True
        if _METRICS_ON:
            _metrics.METRICS.worker_replaced(reason)
