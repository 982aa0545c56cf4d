"""Helpers for the real-browser tests: a live service, a static page server, and mark inspection."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server

from service.web import create_app
from service.web.settings import Settings

from .conftest import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]

MARKS_SCRIPT = """() => [...document.querySelectorAll('sourcewise-mark')].map(m => ({
  text: m.textContent, labels: m.getAttribute('data-sourcewise-label').split(' '),
  sentence: m.getAttribute('data-sourcewise-sentence'), cue: m.hasAttribute('data-sourcewise-cue'),
  inArticle: !!m.closest('article'), background: getComputedStyle(m).backgroundColor }))"""


@contextmanager
def live_service(**settings) -> Iterator[str]:
    """The real Flask app on a real socket, in a thread."""
    with serve_wsgi(create_app(Settings(rate_limit=None, **settings))) as url:
        yield url


@contextmanager
def serve_wsgi(app: Callable) -> Iterator[str]:
    """A WSGI app on a real socket on 127.0.0.1, in a thread; yields its base URL."""
    with _serving(make_server("127.0.0.1", free_port(), app, threaded=True)) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def static_page(body: str) -> Iterator[str]:
    """Serve one HTML page at /article.html on 127.0.0.1."""
    payload = body.encode("utf-8")
    with serve_html(lambda path: payload if path == "/article.html" else None) as base:
        yield f"{base}/article.html"


@contextmanager
def serve_html(page_at: Callable[[str], bytes | None]) -> Iterator[str]:
    """Serve HTML on 127.0.0.1 as news sites do (``text/html; charset=utf-8``): ``page_at(path)`` gives the
    bytes for a path (query string removed), None for a 404. Yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            payload = page_at(self.path.split("?")[0])
            self.send_response(404 if payload is None else 200)
            body = b"not found" if payload is None else payload
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def _serving(server) -> Iterator[int]:
    """Run a socketserver-style server in a daemon thread; yields its port."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


def _squash(text: str) -> str:
    return re.sub(r"[\s\U0001F300-\U0001FAFF]+", "", text)


def labels_per_fixture_sentence(marks: list[dict], fixture: dict) -> list[set[str]]:
    """For each fixture sentence, the labels of the marks whose sentence lies inside it."""
    groups: dict[str, dict] = {}
    for mark in marks:
        group = groups.setdefault(mark["sentence"], {"text": "", "labels": set()})
        group["text"] += mark["text"]
        group["labels"].update(mark["labels"])
    found = []
    for sentence in fixture["sentences"]:
        target = _squash(sentence["text"])
        labels: set[str] = set()
        for group in groups.values():
            squashed = _squash(group["text"])
            if squashed and (squashed in target or target in squashed):
                labels |= group["labels"]
        found.append(labels)
    return found


def engine_judgement_failures(fixture: dict) -> list[str]:
    """The seed checks the engine itself misses (the known errors of the learned labels, #15): what a page
    marked faithfully from the engine's answer shows, in the wording of :func:`judgement_failures`."""
    from service.engine import analyze

    sentences = analyze(fixture["text"])["sentences"]
    labels = [{label for s in sentences if s["start"] < gold["end"] and gold["start"] < s["end"] for label in s["labels"]}
              for gold in fixture["sentences"]]
    return _failures(fixture, labels)


def judgement_failures(marks: list[dict], fixture: dict) -> list[str]:
    """Where the marks on the page disagree with the reader's judgement of the seed article."""
    return _failures(fixture, labels_per_fixture_sentence(marks, fixture))


def _failures(fixture: dict, labels_per_sentence) -> list[str]:
    failures = []
    for sentence, labels in zip(fixture["sentences"], labels_per_sentence):
        name = sentence["text"][:50]
        failures += [f"{name!r} lacks {label}" for label in sentence["must"] if label not in labels]
        failures += [f"{name!r} has {label}" for label in sentence["must_not"] if label in labels]
    return failures
