"""Gunicorn settings from the environment: PORT, WEB_CONCURRENCY, HOST, GUNICORN_* ."""

import os

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
