"""Build the messy news page for browser tests from the seed article (tests/fixtures)."""

from __future__ import annotations

import html
from pathlib import Path

from .conftest import FIXTURES

TEMPLATE = Path(__file__).parent / "pages" / "messy_news.html"
EMOJI = "📌"

# Inline markup added in the middle of sentences, as real news pages have it.
INLINE = [
    ("according to analysts", 'according to <a class="inline-link" href="#analysts-note">analysts</a>'),
    ("increasingly likely", "<em>increasingly likely</em>"),
    ("the Institute for the Study of War (ISW)", '<a href="https://understandingwar.org">the Institute for the Study of War</a> (ISW)'),
    ("including key settlements.", 'including key settlements.<sup id="ref1"><a href="#fn1">1</a></sup>'),
    ("The idea is to use", f"{EMOJI} The idea is to use"),
]


def messy_page_html() -> str:
    """The seed article inside a realistic page: nav, sidebar, cookie banner, links, <em>, <sup>, hidden text, emoji."""
    text = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
    paragraphs = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            continue
        marked = html.escape(paragraph, quote=False)
        for plain, markup in INLINE:
            marked = marked.replace(html.escape(plain, quote=False), markup, 1)
        paragraphs.append(f"<p>{marked}</p>")
    return TEMPLATE.read_text(encoding="utf-8").replace("<!-- ARTICLE_PARAGRAPHS -->", "\n    ".join(paragraphs))
