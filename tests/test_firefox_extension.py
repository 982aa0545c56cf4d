"""The extension's Firefox build in a real Firefox (Debian's firefox-esr over WebDriver BiDi), the service behind it (#10).

Automatic mode and the server are set as a newsroom's administrator would: policies.json "3rdparty" → "Extensions".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browser_pages import messy_page_html
from .browser_support import MARKS_SCRIPT, engine_judgement_failures, judgement_failures, live_service, static_page
from .firefox_support import build_firefox, firefox_policy, missing_reason, run_firefox
from .real_pages import LINKS_JS, MARK_RUNS_JS, REAL_PAGES, expected_text, flagged_sentences, measure, page_url, serve_pages
from .test_browser_real_pages import NO_ARTICLE_PAGE

pytestmark = [pytest.mark.browser, pytest.mark.firefox, pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
HOTPINK = "rgb(255, 105, 180)"
ALL_LABELS = ["speculative", "vague_source", "unsourced", "sourced"]

# The marks, the hidden paragraph's marks, and every link (href and text) on the live page and in the served HTML.
PAGE_SCRIPT = """async () => {
  const marks = (MARKS_SCRIPT)();
  const links = (root) => [...root.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.textContent]);
  const served = new DOMParser().parseFromString(await (await fetch(location.href)).text(), 'text/html');
  return { marks, hidden: document.querySelector('p[style*=none]').querySelectorAll('sourcewise-mark').length,
           links: links(document), servedLinks: links(served) };
}""".replace("MARKS_SCRIPT", MARKS_SCRIPT)

MIN_SHARE_MARKED = 0.95

# A real page's runs of marks, and its links now and as served (the page's HTML before any script ran).
REAL_PAGE_SCRIPT = """async () => {
  const linksOf = LINKS_OF;
  const served = new DOMParser().parseFromString(await (await fetch(location.href)).text(), 'text/html');
  return { runs: (MARK_RUNS_JS)(), links: linksOf(document), servedLinks: linksOf(served) };
}""".replace("MARK_RUNS_JS", MARK_RUNS_JS).replace("LINKS_OF", LINKS_JS.replace("() =>", "(document) =>", 1))


@pytest.fixture(scope="module")
def addon_id() -> str:
    return build_firefox()


@pytest.fixture(scope="module")
def messy_url() -> Iterator[str]:
    with static_page(messy_page_html()) as url:
        yield url


def test_firefox_marks_the_messy_page_as_the_reader_judged(addon_id: str, messy_url: str, seed_fixture: dict) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with live_service() as service_url, firefox_policy(addon_id, {"serverUrl": service_url, "autoAnalyze": True}):
        answer = run_firefox(addon_id, [{"url": messy_url, "script": PAGE_SCRIPT, "screenshot": str(ARTIFACTS / "firefox-messy-page.png")}])
    assert answer["version"].startswith("firefox/")
    (page,) = answer["pages"]
    assert page["state"] == "done", "Firefox never finished analysing the page"
    marks = page["value"]["marks"]
    assert marks, "no marks at all"
    assert judgement_failures(marks, seed_fixture) == engine_judgement_failures(seed_fixture)  # the page adds no error of its own
    assert all(mark["inArticle"] for mark in marks), "something outside the article was marked"
    assert any(mark["cue"] for mark in marks), "cue words are not marked"
    assert all(mark["background"] != HOTPINK for mark in marks), "page CSS for span/mark reached our marks"
    assert page["value"]["hidden"] == 0
    assert page["value"]["links"] == page["value"]["servedLinks"], "the page's links changed"


def test_firefox_policy_overrides_the_reader_settings(addon_id: str, messy_url: str) -> None:
    """The reader chose a dead server, the wrong key, click mode and every label; the administrator's policy wins."""
    ARTIFACTS.mkdir(exist_ok=True)
    reader = {"serverUrl": "http://127.0.0.1:9", "apiKey": "reader-key", "autoAnalyze": False, "labels": ALL_LABELS}
    with live_service(api_keys=frozenset({"newsroom-key"})) as service_url:
        policy = {"serverUrl": service_url, "apiKey": "newsroom-key", "autoAnalyze": True, "labels": ["sourced"]}
        with firefox_policy(addon_id, policy):
            answer = run_firefox(addon_id, [{"url": messy_url, "script": PAGE_SCRIPT}], reader_settings=reader,
                                 options_screenshot=str(ARTIFACTS / "firefox-options-managed.png"))
    options = answer["options"]
    assert options["stored"] == reader, "the reader's own settings are kept, only overridden"
    state = options["state"]
    assert (state["serverUrl"], state["apiKey"], state["mode"], state["labels"]) == (service_url, "newsroom-key", "auto", ["sourced"])
    assert {"serverUrl", "apiKey", "auto", "click", *ALL_LABELS} <= set(state["disabled"])
    assert state["note"] and state["badges"] == 4
    (page,) = answer["pages"]
    assert page["state"] == "done", "the policy's automatic mode, server and key did not analyse the page"
    marks = page["value"]["marks"]
    assert marks and all("sourced" in mark["labels"] for mark in marks), "labels hidden by policy were shown"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_firefox_marks_the_six_real_pages_article_and_only_the_article(addon_id: str) -> None:
    """The six pages of tests/pages, offline, measured against their expected.html as in Chromium (one Firefox for all)."""
    ARTIFACTS.mkdir(exist_ok=True)
    with live_service() as service_url, serve_pages() as base, \
            firefox_policy(addon_id, {"serverUrl": service_url, "autoAnalyze": True}):
        jobs = [{"url": page_url(base, name), "script": REAL_PAGE_SCRIPT, "timeoutMs": 120_000,
                 "screenshot": str(ARTIFACTS / f"real-page-firefox-{name}.png")} for name in REAL_PAGES]
        answer = run_firefox(addon_id, jobs, timeout=540)
        flagged = {name: flagged_sentences(service_url, expected_text(name)) for name in REAL_PAGES}
    failures, report = [], {}
    for name, page in zip(REAL_PAGES, answer["pages"]):
        result = measure(name, page["value"]["runs"], flagged[name], expected_text(name))
        print("\n" + result.row() + f"  ({page['ms'] / 1000:.1f} s)")
        report[name] = {"flagged": result.flagged, "marked": result.marked, "share_marked": round(result.share_marked, 4),
                        "outside_chars": result.outside_chars, "unmarked": list(result.unmarked), "outside": list(result.outside),
                        "seconds": page["ms"] / 1000, "offsite_requests_blocked": len(page["offsite"])}
        if page["state"] != "done":
            failures.append(f"{name}: never analysed")
        if page["value"]["links"] != page["value"]["servedLinks"]:
            failures.append(f"{name}: the page's links changed")
        if not result.flagged:
            failures.append(f"{name}: the service flags nothing in expected.html")
        if result.outside_chars:
            failures.append(f"{name}: marked outside the article: {result.outside[:3]}")
        if result.share_marked < MIN_SHARE_MARKED:
            failures.append(f"{name}: {result.share_marked:.1%} marked; unmarked: {result.unmarked[:3]}")
    report["requests_refused_offline"] = len(answer["refused"])
    (ARTIFACTS / "real-pages-firefox.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    assert failures == []


# Select the first sentence of #note, as a reader would with the mouse.
SELECT_FIRST_SENTENCE = """() => { const note = document.getElementById('note').firstChild; const range = document.createRange();
  range.setStart(note, 0); range.setEnd(note, note.data.indexOf(' The mayor'));
  getSelection().removeAllRanges(); getSelection().addRange(range); }"""
# Select the second sentence of #note.
SELECT_SECOND_SENTENCE = """() => { const note = document.getElementById('note').firstChild; const range = document.createRange();
  range.setStart(note, note.data.indexOf('The mayor')); range.setEnd(note, note.data.length);
  getSelection().removeAllRanges(); getSelection().addRange(range); }"""
# Every mark's text, with the id of the paragraph it lies in.
MARKS_BY_PARAGRAPH = """() => [...document.querySelectorAll('sourcewise-mark')].map(m => [m.closest('p')?.id ?? null, m.textContent])"""


def test_firefox_says_no_article_and_analyses_only_the_selection(addon_id: str) -> None:
    """#10 in Firefox: a page with no article is reported as such in the popup; its button analyses just the selection.

    Then, on the page reloaded, the context-menu entry's handler (analyseSelectionInTab in the background page, called
    as the menu does: no driver clicks a native menu) analyses another selection.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    with live_service() as service_url, static_page(NO_ARTICLE_PAGE) as url, \
            firefox_policy(addon_id, {"serverUrl": service_url, "autoAnalyze": True}):
        flow = run_firefox(addon_id, [], no_article={
            "url": url, "select": SELECT_FIRST_SENTENCE, "marks": MARKS_BY_PARAGRAPH, "menuSelect": SELECT_SECOND_SENTENCE,
            "screenshot": str(ARTIFACTS / "firefox-no-article-selection.png"),
            "popupScreenshot": str(ARTIFACTS / "firefox-no-article-popup.png")}, timeout=120)["noArticle"]
    assert flow["pageState"] == "no-article", "the content script did not report the page as having no article"
    assert flow["marksBefore"] == []
    opened = flow["popupOpened"]
    assert opened["status"] == "No article found on this page."
    assert opened["noArticle"] and "Select the text" in opened["noArticle"]
    assert not opened["profile"] and opened["error"] is None
    empty = flow["popupNothingSelected"]
    assert empty["error"] and "Select the text" in empty["error"], "pressing the button with nothing selected says nothing"
    assert flow["marksNothingSelected"] == []
    assert flow["selected"] == "Officials may close the bridge next week, sources said."
    analysed = flow["popupSelection"]
    assert analysed["error"] is None and analysed["profile"], f"the selection was not analysed: {analysed}"
    assert analysed["status"].startswith("1 sentence analysed."), analysed["status"]
    marks = flow["marksSelection"]
    assert {paragraph for paragraph, _ in marks} == {"note"}, "something outside the selection was marked"
    assert "".join(text for _, text in marks) == "Officials may close the bridge next week, sources said."
    menu = flow["menu"]
    assert menu == {"ok": True, "sentences": 1, "message": None}, f"the context-menu handler failed: {menu}"
    menu_marks = flow["marksMenu"]
    assert {paragraph for paragraph, _ in menu_marks} == {"note"}
    assert "".join(text for _, text in menu_marks) == "The mayor said the road reopens on Monday."  # a named source
