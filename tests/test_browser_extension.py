"""The unpacked extension in real Chromium (Debian's, driven by Playwright), on a messy news page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from .browser_pages import messy_page_html
from .browser_support import MARKS_SCRIPT, engine_judgement_failures, judgement_failures, live_service, static_page
from .chromium_extension import configure, extension_context, service_worker, tab_id_of

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
HOTPINK = "rgb(255, 105, 180)"


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    with live_service() as url:
        yield url


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    with static_page(messy_page_html()) as url:
        yield url


@pytest.fixture
def context(tmp_path: Path) -> Iterator[BrowserContext]:
    with extension_context(tmp_path / "profile") as context:
        yield context


def _open_analysed(context: BrowserContext, url: str) -> Page:
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("html[data-sourcewise-state=done]", timeout=60_000)
    return page


def test_messy_page_is_marked_as_the_reader_judged(context: BrowserContext, service_url: str, page_url: str, seed_fixture: dict) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    marks = page.evaluate(MARKS_SCRIPT)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "extension-messy-page.png"), full_page=True)
    assert marks, "no marks at all"
    assert judgement_failures(marks, seed_fixture) == engine_judgement_failures(seed_fixture)  # the page adds no error of its own
    assert all(mark["inArticle"] for mark in marks), "something outside the article was marked"
    assert any(mark["cue"] for mark in marks), "cue words are not marked"
    assert all(mark["background"] != HOTPINK for mark in marks), "page CSS for span/mark reached our marks"
    hidden = page.evaluate("() => document.querySelector('p[style*=none]').querySelectorAll('sourcewise-mark').length")
    assert hidden == 0


def test_links_inside_marks_still_work(context: BrowserContext, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    link = page.locator("a.inline-link")
    assert link.locator("sourcewise-mark").count() == 1
    link.click()
    assert page.evaluate("() => location.hash") == "#analysts-note"


def test_tooltip_on_hover_and_keyboard_focus(context: BrowserContext, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    mark = page.locator("sourcewise-mark[data-sourcewise-label~=vague_source]").first
    mark.hover()
    tooltip = page.locator("sourcewise-tooltip")
    tooltip.wait_for(state="visible")
    assert "Vague source" in tooltip.text_content()
    assert "names no one" in tooltip.text_content()
    page.mouse.move(0, 0)
    isw = page.locator("sourcewise-mark[data-sourcewise-label~=sourced]", has_text="Institute for the Study of War")
    sentence = isw.first.get_attribute("data-sourcewise-sentence")
    page.locator(f"sourcewise-mark[data-sourcewise-first][data-sourcewise-sentence='{sentence}']").focus()  # the sentence's one Tab stop
    assert "Source:" in tooltip.text_content() and "Institute for the Study of War" in tooltip.text_content()


def test_label_toggle_and_removal_react_without_reload(context: BrowserContext, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    original = page.evaluate(
        "() => fetch(location.href).then(r => r.text()).then(t => new DOMParser().parseFromString(t, 'text/html').querySelector('article').innerHTML)"
    )
    configure(context, labels=["sourced"])
    page.wait_for_function("() => ![...document.querySelectorAll('sourcewise-mark')].some(m => m.dataset.sourcewiseLabel.includes('speculative'))")
    assert page.locator("sourcewise-mark").count() > 0
    worker = service_worker(context)
    tab_id = tab_id_of(context, page)
    worker.evaluate("tabId => chrome.tabs.sendMessage(tabId, {type: 'sourcewise:remove'})", tab_id)
    page.wait_for_function("() => document.querySelectorAll('sourcewise-mark').length === 0")
    restored = page.evaluate("() => document.querySelector('article').innerHTML")
    assert restored == original


def test_popup_shows_profile_and_errors(context: BrowserContext, service_url: str, page_url: str, seed_fixture: dict) -> None:
    extension_id = configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    tab_id = tab_id_of(context, page)
    popup = context.new_page()
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.wait_for_selector("#profile:not([hidden])")
    rows = popup.locator("#profile tbody tr").all_text_contents()
    assert any(row.startswith("Speculative") for row in rows)
    analysed = int(popup.locator("#status").text_content().split()[0])
    assert analysed >= len(seed_fixture["sentences"])  # the article's sentences plus headline and byline
    configure(context, serverUrl="http://127.0.0.1:9")  # nothing listens there
    popup.click("#reanalyse")
    popup.wait_for_selector("#error:not([hidden])")
    assert "could not be reached" in popup.locator("#error").text_content()


def test_click_mode_analyses_only_when_asked(context: BrowserContext, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=False)
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_timeout(1500)
    assert page.locator("sourcewise-mark").count() == 0
    worker = service_worker(context)
    tab_id = tab_id_of(context, page)
    answer = worker.evaluate("tabId => chrome.tabs.sendMessage(tabId, {type: 'sourcewise:run'})", tab_id)
    assert answer == {"ok": True}
    page.wait_for_selector("sourcewise-mark")


def test_new_article_text_is_analysed_once_it_settles(context: BrowserContext, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = _open_analysed(context, page_url)
    before = page.locator("sourcewise-mark").count()
    page.evaluate("""() => { const p = document.createElement('p');
        p.textContent = 'Officials say the bridge may reopen in June.';
        document.querySelector('article').appendChild(p); }""")
    page.wait_for_function("() => [...document.querySelectorAll('sourcewise-mark')].some(m => m.textContent.includes('bridge'))", timeout=30_000)
    texts = page.evaluate("() => [...document.querySelectorAll('sourcewise-mark')].map(m => m.textContent).join('|')")
    assert texts.count("bridge") == 1, "marks were duplicated"
    assert page.locator("sourcewise-mark").count() > before


def test_popup_explains_a_refusal(context: BrowserContext, page_url: str) -> None:
    with live_service(api_keys=frozenset({"right-key"})) as locked:
        extension_id = configure(context, serverUrl=locked, autoAnalyze=False, apiKey="wrong-key")
        page = context.new_page()
        page.goto(page_url)
        tab_id = tab_id_of(context, page)
        popup = context.new_page()
        popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
        popup.click("#reanalyse")
        popup.wait_for_selector("#error:not([hidden])")
        assert "API key" in popup.locator("#error").text_content()
        assert page.locator("sourcewise-mark").count() == 0
        configure(context, apiKey="right-key")
        popup.click("#reanalyse")
        popup.wait_for_selector("#profile:not([hidden])")
        assert page.locator("sourcewise-mark").count() > 0
