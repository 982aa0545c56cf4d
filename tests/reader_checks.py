"""What the reader sees and does with the marks (#17), as JavaScript to evaluate in a marked page, for the
Chromium (Playwright) and Firefox (firefox-driver.mjs) tests alike; a /feedback recorder in front of
the real service; the real service under gunicorn with its own feedback database, and `sourcewise feedback
export` run on it; the card's wording of a source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .browser_support import serve_wsgi
from .service_process import gunicorn

ROOT = Path(__file__).resolve().parent.parent
LABELS = ("speculative", "vague_source", "unsourced", "sourced")

# The computed drawing of a mark: every channel a label may use (marks.css).
SIGNATURE_JS = """(m) => { const s = getComputedStyle(m);
  return [s.textDecorationLine, s.textDecorationStyle, s.textDecorationColor, s.borderBottomStyle, s.borderBottomWidth,
          s.borderBottomColor, s.boxShadow, s.backgroundImage].join(' | '); }"""

# The marks as a reader meets them: Tab stops, sentences, each label combination's drawing at rest, the
# backgrounds at rest, the emphasised cue words, and whether every Tab stop is described by the card.
READER_STATE_JS = """() => {
  const signature = SIGNATURE;
  const marks = [...document.querySelectorAll('sourcewise-mark[data-sourcewise-owner][data-sourcewise-sentence]')];
  const first = marks.filter((m) => m.hasAttribute('data-sourcewise-first'));
  const combos = {};
  const restBackgrounds = new Set();
  for (const m of marks) {
    if (m.hasAttribute('data-sourcewise-emphasis') || m.hasAttribute('data-sourcewise-active')) continue;
    const key = m.getAttribute('data-sourcewise-label');
    (combos[key] = combos[key] || new Set()).add(signature(m));
    restBackgrounds.add(getComputedStyle(m).backgroundColor);
  }
  const described = first.every((m) => { const d = document.getElementById(m.getAttribute('aria-describedby'));
    return !!d && !!d.closest('sourcewise-tooltip'); });
  return {
    marks: marks.length,
    sentences: new Set(marks.map((m) => m.getAttribute('data-sourcewise-sentence'))).size,
    stops: marks.filter((m) => m.tabIndex === 0 && m.hasAttribute('tabindex')).length,
    stopsOnLaterFragments: marks.filter((m) => m.hasAttribute('tabindex') && !m.hasAttribute('data-sourcewise-first')).length,
    combos: Object.fromEntries(Object.entries(combos).map(([k, v]) => [k, [...v]])),
    restBackgrounds: [...restBackgrounds],
    emphasis: marks.filter((m) => m.hasAttribute('data-sourcewise-emphasis'))
      .map((m) => ({ text: m.textContent, kind: m.getAttribute('data-sourcewise-cue'), label: m.getAttribute('data-sourcewise-emphasis') })),
    described,
  };
}""".replace("SIGNATURE", SIGNATURE_JS)

# The legend's swatches (in any page that shows one): label → drawing.
LEGEND_JS = """() => Object.fromEntries([...document.querySelectorAll('sourcewise-mark[data-sourcewise-legend]:not([data-sourcewise-emphasis])')]
  .map((m) => [m.getAttribute('data-sourcewise-label'), (SIGNATURE)(m)]))""".replace("SIGNATURE", SIGNATURE_JS)

# Scroll a Tab stop about ``fromBottom`` px above the bottom of the window; its sentence id and rect.
SCROLL_NEAR_BOTTOM_JS = """([index, fromBottom]) => {
  const stops = [...document.querySelectorAll('sourcewise-mark[data-sourcewise-first]')];
  const mark = stops[index];
  window.scrollBy(0, mark.getBoundingClientRect().top - (window.innerHeight - fromBottom));
  const r = mark.getBoundingClientRect();
  return { sentence: mark.getAttribute('data-sourcewise-sentence'), top: r.top, bottom: r.bottom, left: r.left, right: r.right,
           height: window.innerHeight, width: window.innerWidth };
}"""

# The card as shown: visible or not, its rect and placement, its text.
CARD_JS = """() => { const card = document.querySelector('sourcewise-tooltip[data-sourcewise-owner]');
  if (!card) return null;
  const r = card.getBoundingClientRect();
  return { hidden: card.hidden, top: r.top, bottom: r.bottom, left: r.left, right: r.right, placement: card.getAttribute('data-sourcewise-placement'),
           text: card.textContent, reported: card.hasAttribute('data-sourcewise-reported'),
           status: (card.querySelector('.sourcewise-report-status') || {}).textContent || '' }; }"""

# The focused element, if it is a mark: its sentence id and whether it lies inside the window.
FOCUSED_JS = """() => { const a = document.activeElement;
  if (!a || a.tagName !== 'SOURCEWISE-MARK') return null;
  const r = a.getBoundingClientRect();
  return { sentence: a.getAttribute('data-sourcewise-sentence'), text: a.textContent, inView: r.top >= 0 && r.bottom <= window.innerHeight }; }"""


def card_inside_window(card: dict, view: dict) -> bool:
    return card["top"] >= 0 and card["left"] >= 0 and card["bottom"] <= view["height"] and card["right"] <= view["width"]


class FeedbackRecorder:
    """A WSGI app in front of the real service: POST /feedback is recorded (body and Authorization header) and
    answered 201 {"id": ...}, as the contract of #17 says; every other request goes to the service itself."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.reports: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ: dict, start_response: Callable) -> Iterator[bytes]:
        if environ.get("PATH_INFO") != "/feedback":
            return self.app(environ, start_response)
        cors = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "Authorization, Content-Type")]
        if environ["REQUEST_METHOD"] == "OPTIONS":
            start_response("204 No Content", cors)
            return [b""]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(length) or b"null")
        with self.lock:
            self.reports.append({"body": body, "authorization": environ.get("HTTP_AUTHORIZATION"), "type": environ.get("CONTENT_TYPE")})
            number = len(self.reports)
        payload = json.dumps({"id": f"r{number}"}).encode()
        start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *cors])
        return [payload]


@contextmanager
def service_with_feedback(**settings) -> Iterator[tuple[str, FeedbackRecorder]]:
    """The real service on a real socket, with POST /feedback recorded; yields (base URL, recorder)."""
    from service.web import create_app
    from service.web.settings import Settings

    recorder = FeedbackRecorder(create_app(Settings(rate_limit=None, **settings)))
    with serve_wsgi(recorder) as url:
        yield url, recorder


@contextmanager
def gunicorn_with_feedback_db(db: Path, api_key: str) -> Iterator[str]:
    """The real service under gunicorn (one worker), reports stored in the SQLite file ``db``, no Redis; yields its URL."""
    with gunicorn({"FEEDBACK_DB": str(db), "REDIS_URL": "", "API_KEYS": api_key, "WEB_CONCURRENCY": "1"}) as (base, _):
        yield base


def feedback_export(db: Path) -> list[dict]:
    """`sourcewise feedback export --db DB`, run as a newsroom runs it; its JSON Lines, parsed."""
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    done = subprocess.run([sys.executable, "-m", "service.cli", "feedback", "export", "--db", str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def squashed(text: str) -> str:
    """``text`` without any whitespace, to compare a sentence as marked in a page with the sentence as analysed."""
    return "".join(text.split())


def exported_as_reported(row: dict, label: str, verdict: str) -> None:
    """``row`` is the reader's report: the disputed label as they set it (wrong 0, missing 1), every other label null
    (unjudged), never the engine's labels."""
    assert row["source"] == "feedback" and row["context"] is not None and row["sentence"]
    assert row["labels"] == {name: (int(verdict == "missing") if name == label else None) for name in LABELS}, row["labels"]


PRONOUNS = {"he", "she", "him", "her", "it", "they", "them", "i", "me", "we", "us", "you"}


def card_source_line(source: dict) -> str:
    """The card's source line for an API ``source`` (renderer.js sourceWording): the referent first."""
    text, refers, kind = " ".join(source["text"].split()), source.get("refers_to"), source.get("kind")

    def running(phrase: str) -> str:
        first, _, rest = phrase.partition(" ")
        return f"{first.lower()} {rest}" if rest and first in {"The", "A", "An", "This", "These", "Those"} else phrase

    if text.lower() in PRONOUNS:
        quoted = f"“{'I' if text.lower() == 'i' else text.lower()}”"
        if refers:
            return f"Source: {running(' '.join(refers.split()))} ({quoted}) · {kind}"
        if text.lower() in {"i", "me", "we", "us", "you"}:
            return f"Source: the speaker ({quoted})"
        return f"Source: people the text does not name ({quoted}) · vague" if kind == "vague" else f"Source: someone named earlier ({quoted})"
    return f"Source: {running(text)} · {kind}"
