"""Readers' "this label is wrong" reports: stored durably, exported as reader-judged rows (#17).

Two backends, like the cache, but with the opposite rule for failure: a report that cannot be stored
raises :class:`FeedbackUnavailable` (the view answers 503) instead of being dropped, because a lost
report is worse than a refused one. With ``REDIS_URL`` the reports go to one Redis stream with no
expiry (``sourcewise:feedback:v1``), so a Redis whose ``maxmemory-policy`` evicts only keys with a TTL
(``volatile-lru``, the cache's keys all have one) or evicts nothing never drops them; otherwise to
their own SQLite file (``FEEDBACK_DB``), never the size-bounded, expiring cache directory.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import redis

from ..engine.judgement import LABELS  # re-exported for the view
from .settings import Settings

STREAM_KEY = "sourcewise:feedback:v1"
VERDICTS = ("wrong", "missing")  # wrong: the label should not be there; missing: it should
MIN_REDIS_TIMEOUT = 1.0  # seconds: a report is rare and worth waiting for longer than a cache read
SQLITE_TIMEOUT = 5.0  # seconds to wait for another worker's write lock


class FeedbackUnavailable(Exception):
    """The report could not be stored (Redis down, the database unwritable); nothing was kept."""


@dataclass(frozen=True)
class Report:
    """One reader's report on one label of one sentence, as sent to ``POST /feedback``."""

    sentence: str
    context: str
    labels: list[str]  # the labels the engine gave, kept for review, never exported as judgements
    label: str
    verdict: str
    url: str | None


@dataclass(frozen=True)
class StoredReport(Report):
    """A report as stored: with its id, when it arrived (ISO 8601, UTC) and the engine version that labelled it."""

    id: str = ""
    reported_at: str = ""
    model: str = ""


def stamp(report: Report, model: str) -> StoredReport:
    """Give a report its id and arrival time."""
    reported_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return StoredReport(**asdict(report), id=uuid.uuid4().hex, reported_at=reported_at, model=model)


class FeedbackStore(Protocol):
    """Where reports are kept; ``add`` raises :class:`FeedbackUnavailable` rather than lose one."""

    backend: str

    def add(self, report: StoredReport) -> None: ...

    def reports(self) -> Iterator[StoredReport]: ...


class RedisFeedback:
    """Reports as entries of one Redis stream, in arrival order, never trimmed and never expiring."""

    backend = "redis"

    def __init__(self, url: str, timeout: float = MIN_REDIS_TIMEOUT) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout, retry_on_timeout=False)

    def add(self, report: StoredReport) -> None:
        try:
            self.client.xadd(STREAM_KEY, {"report": json.dumps(asdict(report), ensure_ascii=False)})
        except (redis.RedisError, OSError) as exc:
            raise FeedbackUnavailable(f"Redis: {type(exc).__name__}") from exc

    def reports(self) -> Iterator[StoredReport]:
        last = "-"
        while True:
            entries = self.client.xrange(STREAM_KEY, min=last, max="+", count=500)
            if last != "-":
                entries = entries[1:]  # the range includes the entry it starts from
            if not entries:
                return
            for _, fields in entries:
                yield StoredReport(**json.loads(fields[b"report"]))
            last = entries[-1][0].decode()


_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, reported_at TEXT NOT NULL, model TEXT NOT NULL,
    sentence TEXT NOT NULL, context TEXT NOT NULL, labels TEXT NOT NULL, label TEXT NOT NULL, verdict TEXT NOT NULL, url TEXT)"""
_COLUMNS = ("id", "reported_at", "model", "sentence", "context", "labels", "label", "verdict", "url")


class SqliteFeedback:
    """Reports in their own SQLite file; a connection per call, so gunicorn's forked workers never share one."""

    backend = "sqlite"

    def __init__(self, path: str) -> None:
        self.path = path

    def _connect(self, create: bool) -> sqlite3.Connection:
        if create:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        elif not os.path.exists(self.path):
            raise FileNotFoundError(f"no feedback database at {self.path}")
        connection = sqlite3.connect(self.path, timeout=SQLITE_TIMEOUT)
        connection.execute(_SCHEMA)
        return connection

    def add(self, report: StoredReport) -> None:
        row = {**asdict(report), "labels": json.dumps(report.labels)}
        try:
            connection = self._connect(create=True)
            try:
                with connection:  # one transaction, committed (and synced) before the 201
                    connection.execute(f"INSERT INTO feedback ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                                       [row[name] for name in _COLUMNS])
            finally:
                connection.close()
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackUnavailable(f"SQLite: {type(exc).__name__}") from exc

    def reports(self) -> Iterator[StoredReport]:
        connection = self._connect(create=False)
        try:
            for row in connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM feedback ORDER BY seq"):
                fields = dict(zip(_COLUMNS, row))
                yield StoredReport(**{**fields, "labels": json.loads(fields["labels"])})
        finally:
            connection.close()


def make_store(settings: Settings) -> FeedbackStore:
    """Redis when REDIS_URL is set (every instance sees the same reports), else the SQLite file FEEDBACK_DB."""
    if settings.redis_url:
        return RedisFeedback(settings.redis_url, timeout=max(settings.redis_timeout, MIN_REDIS_TIMEOUT))
    return SqliteFeedback(settings.feedback_db)


def export_row(report: StoredReport) -> dict:
    """A row in the fields of ``reader/reader_train.jsonl``: the disputed label as the reader set it (wrong: 0,
    missing: 1) and the other three ``None``, unjudged; the engine's own labels are never exported as judgements.
    ``start``/``end`` are ``None``: the article's text is not kept, so there are no offsets into it (the sentence is
    the whole text of the row)."""
    return {
        "id": report.id,
        "source": "feedback",
        "article": report.url,
        "start": None,
        "end": None,
        "context": report.context,
        "sentence": report.sentence,
        "labels": {label: (int(report.verdict == "missing") if label == report.label else None) for label in LABELS},
        "unsure": [],
        "reported_at": report.reported_at,
    }
