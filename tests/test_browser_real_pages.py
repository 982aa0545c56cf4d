"""The extension on six real news pages in Chromium: the article and only the article is marked (#10).

Each page is served offline (every request not to 127.0.0.1 is blocked), analysed in click mode, and
measured against its expected.html article text: the share of the sentences the service flags in
that text that are marked on the page, and the marked characters outside it. Per-page numbers are
printed and written to test-artifacts/real-pages-chromium.json with a screenshot of each page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from .browser_support import live_service, static_page
from .chromium_extension import configure, service_worker, tab_id_of
from .real_pages import (
    LINKS_JS,
    MARK_RUNS_JS,
    REAL_PAGES,
    PageMeasurement,
    expected_text,
    flagged_sentences,
    measure,
    page_url,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
MIN_SHARE_MARKED = 0.95
MEASURED: dict[str, PageMeasurement] = {}

NO_ARTICLE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sections</title></head><body>
<nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<p id="note">Officials may close the bridge next week, sources said. The mayor said the road reopens on Monday.</p>
<p id="other">Weather: sunny.</p>
</body></html>"""


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    with live_service() as url:
        yield url


@pytest.mark.parametrize("name", REAL_PAGES)
def test_real_page_marks_the_article_and_only_the_article(saved_context: BrowserContext, service_url: str, pages_base: str, name: str) -> None:
    configure(saved_context, serverUrl=service_url, autoAnalyze=False)
    page = saved_context.new_page()
    try:
        page.goto(page_url(pages_base, name), wait_until="load", timeout=60_000)
        page.wait_for_timeout(500)  # let the page's own inline scripts settle
        links_before = page.evaluate(LINKS_JS)
        answer = service_worker(saved_context).evaluate("tabId => chrome.tabs.sendMessage(tabId, {type: 'sourcewise:run'})", tab_id_of(saved_context, page))
        assert answer == {"ok": True}
        page.wait_for_selector("html[data-sourcewise-state=done]", state="attached", timeout=120_000)
        runs = page.evaluate(MARK_RUNS_JS)
        links_after = page.evaluate(LINKS_JS)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"real-page-chromium-{name}.png"), full_page=True)
    finally:
        page.close()
    article = expected_text(name)
    result = measure(name, runs, flagged_sentences(service_url, article), article)
    MEASURED[name] = result
    _write_report()
    print("\n" + result.row())
    assert links_after == links_before, "the page's links changed"
    assert result.flagged > 0
    assert result.outside_chars == 0, f"marked outside the article: {result.outside[:5]}"
    assert result.share_marked >= MIN_SHARE_MARKED, f"unmarked flagged sentences: {result.unmarked[:5]}"


def _write_report() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    rows = {name: {"flagged": m.flagged, "marked": m.marked, "share_marked": round(m.share_marked, 4),
                   "marked_chars": m.marked_chars, "outside_chars": m.outside_chars,
                   "unmarked": list(m.unmarked), "outside": list(m.outside)} for name, m in MEASURED.items()}
    (ARTIFACTS / "real-pages-chromium.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


def test_no_article_is_said_in_the_popup_and_the_selection_can_be_analysed(saved_context: BrowserContext, service_url: str) -> None:
    extension_id = configure(saved_context, serverUrl=service_url, autoAnalyze=True)
    with static_page(NO_ARTICLE_PAGE) as url:
        page = saved_context.new_page()
        page.goto(url)
        page.wait_for_selector("html[data-sourcewise-state=no-article]", state="attached", timeout=30_000)
        assert page.locator("sourcewise-mark").count() == 0
        tab_id = tab_id_of(saved_context, page)
        popup = saved_context.new_page()
        popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
        popup.wait_for_selector("#no-article:not([hidden])")
        assert popup.locator("#status").text_content() == "No article found on this page."
        assert "Select the text" in popup.locator("#no-article").text_content()
        popup.click("#analyse-selection")  # nothing selected yet: told so, nothing marked
        popup.wait_for_selector("#error:not([hidden])")
        assert "Select the text" in popup.locator("#error").text_content()
        assert page.locator("sourcewise-mark").count() == 0
        page.evaluate("""() => { const note = document.getElementById('note').firstChild; const range = document.createRange();
            range.setStart(note, 0); range.setEnd(note, note.data.indexOf(' The mayor'));
            getSelection().removeAllRanges(); getSelection().addRange(range); }""")
        popup.click("#analyse-selection")
        popup.wait_for_selector("#profile:not([hidden])")  # from the first streamed line ("… so far…"), final with the summary
        popup.wait_for_function("() => document.getElementById('status').textContent.startsWith('1 sentence analysed.')", timeout=30_000)
        marked = page.evaluate("() => [...document.querySelectorAll('sourcewise-mark')].map(m => m.textContent).join('')")
        assert marked == "Officials may close the bridge next week, sources said."
        assert page.locator("#other sourcewise-mark").count() == 0
        popup.close()
        page.close()


def test_context_menu_action_analyses_the_selection(saved_context: BrowserContext, service_url: str) -> None:
    """The context-menu entry runs analyseSelectionInTab; Playwright cannot click native menus, so call it as the handler does."""
    configure(saved_context, serverUrl=service_url, autoAnalyze=False)
    with static_page(NO_ARTICLE_PAGE) as url:
        page = saved_context.new_page()
        page.goto(url)
        page.evaluate("""() => { const note = document.getElementById('note').firstChild; const range = document.createRange();
            range.setStart(note, note.data.indexOf('The mayor')); range.setEnd(note, note.data.length);
            getSelection().removeAllRanges(); getSelection().addRange(range); }""")
        state = service_worker(saved_context).evaluate("tabId => analyseSelectionInTab(tabId)", tab_id_of(saved_context, page))
        assert state["ok"] is True
        assert len(state["result"]["sentences"]) == 1
        marked = page.evaluate("() => [...document.querySelectorAll('sourcewise-mark')].map(m => m.textContent).join('')")
        assert marked == "The mayor said the road reopens on Monday."  # a named source: labelled "sourced"
        assert page.evaluate("() => document.querySelectorAll('#note sourcewise-mark').length") == page.locator("sourcewise-mark").count()
        page.close()
