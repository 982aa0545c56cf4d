"""The six real news pages (tests/pages/<name>/) for browser tests: serve them offline, and measure
how the extension marked them against the article text of their expected.html (#10).

Browser-neutral, so the Chromium (Playwright) and Firefox tests share it:
- ``serve_pages()`` serves ``/<name>/`` (source.html) with ``text/html; charset=utf-8``;
- ``is_local(url)`` is the request filter (everything not to 127.0.0.1 is to be blocked);
- ``MARK_RUNS_JS`` / ``LINKS_JS`` are JavaScript functions to evaluate in the page;
- ``expected_text``, ``flagged_sentences`` and ``measure`` turn what they return into numbers.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from .browser_support import serve_html

PAGES_DIR = Path(__file__).resolve().parent / "pages"
REAL_PAGES = ("bbc-1", "cnet", "herald-sun-1", "nytimes-4", "salon-1", "seattletimes-1")

BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "main", "td", "th", "tr", "table", "figure", "figcaption", "pre", "dd", "dt", "dl", "hr", "br",
})

# Runs of adjacent marks (nothing but whitespace between them), each with its marks' texts and sentence ids.
MARK_RUNS_JS = """() => {
  const marks = [...document.querySelectorAll('sourcewise-mark')];
  const runs = [];
  let run = null;
  marks.forEach((mark, i) => {
    if (run) {
      const between = document.createRange();
      between.setStartAfter(marks[i - 1]);
      between.setEndBefore(mark);
      if (between.toString().trim() !== '') run = null;
    }
    if (!run) { run = { marks: [] }; runs.push(run); }
    run.marks.push({ text: mark.textContent, sentence: mark.getAttribute('data-sourcewise-sentence') });
  });
  return runs;
}"""

# Every link: its href, its text and its parent's tag (a link wrapped by a mark would show here).
LINKS_JS = """() => [...document.querySelectorAll('a[href]')].map(a =>
  [a.getAttribute('href'), a.textContent, a.parentElement ? a.parentElement.tagName : ''])"""


@contextmanager
def serve_pages() -> Iterator[str]:
    """Serve every page's source.html at /<name>/ on 127.0.0.1; yields the base URL."""

    def page_at(path: str) -> bytes | None:
        name = path.strip("/")
        source = PAGES_DIR / name / "source.html"
        return source.read_bytes() if name in REAL_PAGES and source.is_file() else None

    with serve_html(page_at) as base:
        yield base


def page_url(base: str, name: str) -> str:
    return f"{base}/{name}/"


def is_local(url: str) -> bool:
    """Requests the tests let through: 127.0.0.1 and the browser's own schemes; the rest is blocked."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https", "ws", "wss"):
        return parts.hostname == "127.0.0.1"
    return parts.scheme in ("data", "blob", "about", "chrome-extension", "moz-extension")


class _BlockText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self._skip = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        if tag in BLOCK_TAGS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.blocks[-1].append(data)


def expected_text(name: str) -> str:
    """The article text of a page's expected.html: blocks separated by a blank line, spaces collapsed."""
    parser = _BlockText()
    parser.feed((PAGES_DIR / name / "expected.html").read_text(encoding="utf-8"))
    blocks = (re.sub(r"\s+", " ", "".join(parts)).strip() for parts in parser.blocks)
    return "\n\n".join(block for block in blocks if block)


def flagged_sentences(service_url: str, text: str) -> list[str]:
    """The sentences of ``text`` the service gives at least one label."""
    request = urllib.request.Request(f"{service_url}/analyze", data=json.dumps({"text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        result = json.loads(response.read())
    return [sentence["text"] for sentence in result["sentences"] if sentence["labels"]]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class PageMeasurement:
    """How one page was marked: flagged article sentences marked, and marked characters outside the article."""

    name: str
    flagged: int
    marked: int
    marked_chars: int
    outside_chars: int
    unmarked: tuple[str, ...]
    outside: tuple[str, ...]

    @property
    def share_marked(self) -> float:
        return self.marked / self.flagged if self.flagged else 1.0

    def row(self) -> str:
        return (f"{self.name:15} flagged {self.flagged:3}  marked {self.marked:3} ({self.share_marked:6.1%})  "
                f"marked chars {self.marked_chars:5}  outside the article {self.outside_chars}")


def _pieces(sentence: str) -> list[str]:
    """A sentence's parts between blank lines, whitespace removed; parts without a letter or digit dropped."""
    parts = (_squash(part) for part in re.split(r"\n\s*\n", sentence))
    return [part for part in parts if any(ch.isalnum() for ch in part)]


def measure(name: str, runs: list[dict], flagged: list[str], article: str) -> PageMeasurement:
    """Compare the page's mark runs (from MARK_RUNS_JS) with the article text and its flagged sentences.

    A flagged sentence is marked when each of its blocks (the parts between blank lines; a sentence
    should not span one, #9) is covered by one run of adjacent marks, whitespace ignored.
    A run whose text is not in the article counts, sentence by sentence, the characters of the
    sentences whose marked text is not in the article.
    """
    whole = _squash(article)
    run_texts = [_squash("".join(mark["text"] for mark in run["marks"])) for run in runs]
    unmarked = tuple(s for s in flagged if not all(any(piece in text for text in run_texts) for piece in _pieces(s)))
    outside: list[str] = []
    outside_chars = 0
    for run, text in zip(runs, run_texts):
        if text in whole:
            continue
        groups: dict[str, str] = {}
        for mark in run["marks"]:
            groups[mark["sentence"]] = groups.get(mark["sentence"], "") + mark["text"]
        for group in groups.values():
            if _squash(group) not in whole:
                outside.append(group)
                outside_chars += len(_squash(group))
    return PageMeasurement(name=name, flagged=len(flagged), marked=len(flagged) - len(unmarked),
                           marked_chars=sum(len(t) for t in run_texts), outside_chars=outside_chars,
                           unmarked=unmarked, outside=tuple(outside))
