"""The extension on hostile pages and a failing server, in real Chromium (#12).

A gate in front of the real app counts the analysis requests that reach the server, and can make
them fail (503, 429 with Retry-After) or answer slowly, so the tests see what the extension sends.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from service.web import create_app
from service.web.settings import Settings

from .browser_support import serve_wsgi, static_page
from .chromium_extension import configure, extension_context, service_worker, tab_id_of

pytestmark = pytest.mark.browser

TRANSPARENT = "rgba(0, 0, 0, 0)"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Bridge news</title></head><body>
<div id="ticker">DOW 0</div>
<div class="promo"><sourcewise-mark id="fake" data-sourcewise-label="sourced" tabindex="0">Trust us, this is sourced.</sourcewise-mark></div>
<article>
<h1>Bridge to reopen</h1>
<p id="p1">The transport minister said on Monday that the bridge would reopen in June.</p>
<p id="p2">Some experts believe the repairs could take much longer than planned.</p>
<p id="p3">The bridge carries 40,000 cars a day.</p>
<p id="p4">According to the city council, the cost has doubled since January.</p>
</article>
<script>
let ticks = 0;
setInterval(() => { document.getElementById('ticker').textContent = 'DOW ' + (++ticks); }, 1500);  // slower than the settle delay
</script>
</body></html>"""


class Gate:
    """WSGI middleware before the real app: counts POST /analyze, can fail or delay it."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.analyze_requests = 0
        self.fail_status: int | None = None
        self.retry_after: str | None = None
        self.delay = 0.0

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/analyze" and environ.get("REQUEST_METHOD") == "POST":
            with self.lock:
                self.analyze_requests += 1
            if self.delay:
                time.sleep(self.delay)
            if self.fail_status:
                headers = [("Content-Type", "application/json")]
                if self.retry_after:
                    headers.append(("Retry-After", self.retry_after))
                start_response(f"{self.fail_status} Failing", headers)
                return [json.dumps({"error": {"code": "failing", "message": "failing on purpose"}}).encode()]
        return self.app(environ, start_response)


@pytest.fixture(scope="module")
def gated_service() -> Iterator[tuple[Gate, str]]:
    gate = Gate(create_app(Settings(rate_limit=None)))
    with serve_wsgi(gate) as url:
        yield gate, url


@pytest.fixture
def gate(gated_service: tuple[Gate, str]) -> Gate:
    gated_service[0].reset()
    return gated_service[0]


@pytest.fixture
def service_url(gated_service: tuple[Gate, str]) -> str:
    return gated_service[1]


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    with static_page(PAGE) as url:
        yield url


@pytest.fixture
def context(tmp_path: Path) -> Iterator[BrowserContext]:
    with extension_context(tmp_path / "profile") as context:
        yield context


def _change_article(page: Page, text: str) -> None:
    page.evaluate("""text => { const p = document.createElement('p'); p.textContent = text;
        document.querySelector('article').appendChild(p); }""", text)


def _wait_for_requests(gate: Gate, count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while gate.analyze_requests < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gate.analyze_requests >= count, f"{gate.analyze_requests} requests, expected {count}"


def test_click_mode_sends_nothing_when_the_page_changes(context: BrowserContext, gate: Gate, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_selector("html[data-sourcewise-state=done]", timeout=60_000)
    assert gate.analyze_requests == 1
    configure(context, autoAnalyze=False)  # back to click mode: the watcher must stop
    page.wait_for_timeout(300)
    for n in range(3):
        _change_article(page, f"Officials say update number {n} may follow.")
        page.wait_for_timeout(200)
    page.wait_for_timeout(3500)  # well past the 1.2 s settle delay, with the ticker running
    assert gate.analyze_requests == 1, "click mode sent the changed page"
    fresh = context.new_page()  # a page opened in click mode sends nothing either
    fresh.goto(page_url)
    _change_article(fresh, "Officials say the ferry may run again.")
    fresh.wait_for_timeout(3000)
    assert gate.analyze_requests == 1
    assert fresh.locator("sourcewise-mark[data-sourcewise-owner]").count() == 0


def test_a_failing_server_is_not_hammered(context: BrowserContext, gate: Gate, service_url: str, page_url: str) -> None:
    gate.fail_status = 503
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_selector("html[data-sourcewise-state=failed]", timeout=30_000)
    page.wait_for_timeout(6000)  # the ticker changes the page every 1.5 s
    assert gate.analyze_requests == 1, "the same text was re-sent after a failure"
    _change_article(page, "Officials say the bridge may reopen in July instead.")
    _wait_for_requests(gate, 2)  # changed article text goes again once the backoff allows
    page.wait_for_timeout(2500)
    assert gate.analyze_requests == 2


def test_retry_after_is_honoured(context: BrowserContext, gate: Gate, service_url: str, page_url: str) -> None:
    gate.fail_status, gate.retry_after = 429, "30"
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_selector("html[data-sourcewise-state=failed]", timeout=30_000)
    _change_article(page, "Officials say the bridge may reopen in July instead.")
    page.wait_for_timeout(4000)
    answer = service_worker(context).evaluate("tabId => chrome.tabs.sendMessage(tabId, {type: 'sourcewise:run'})", tab_id_of(context, page))
    assert answer == {"ok": True}
    assert gate.analyze_requests == 1, "sent before the server's Retry-After was over"


def test_remove_works_after_the_page_re_rendered(context: BrowserContext, gate: Gate, service_url: str, page_url: str) -> None:
    gate.delay = 2.0
    extension_id = configure(context, serverUrl=service_url, autoAnalyze=False)
    page = context.new_page()
    page.goto(page_url)
    original = page.evaluate("() => document.querySelector('article').textContent")
    tab_id = tab_id_of(context, page)
    service_worker(context).evaluate("tabId => { chrome.tabs.sendMessage(tabId, {type: 'sourcewise:run'}); }", tab_id)
    _wait_for_requests(gate, 1)
    page.evaluate("() => { const p = document.getElementById('p1'); p.innerHTML = p.innerHTML; }")  # during the request
    page.wait_for_selector("html[data-sourcewise-state=done]", timeout=30_000)
    assert page.locator("#p1 sourcewise-mark").count() == 0, "a node that went was marked"
    assert page.locator("article sourcewise-mark[data-sourcewise-owner]").count() > 0, "the rest of the article was not marked"
    page.evaluate("() => { const p = document.getElementById('p2'); p.outerHTML = p.outerHTML; }")  # after: copies of our marks
    assert page.locator("#p2 sourcewise-mark").count() > 0
    popup = context.new_page()
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.click("#remove")
    page.wait_for_function("() => document.querySelectorAll('article sourcewise-mark').length === 0", timeout=10_000)
    assert page.evaluate("() => document.querySelector('article').textContent") == original
    assert page.locator("#fake").count() == 1, "the page's own element was removed"


def test_a_page_made_mark_gets_no_styling_or_tooltip(context: BrowserContext, gate: Gate, service_url: str, page_url: str) -> None:
    configure(context, serverUrl=service_url, autoAnalyze=True)
    page = context.new_page()
    page.goto(page_url)
    page.wait_for_selector("html[data-sourcewise-state=done]", timeout=60_000)
    drawn = """m => { const s = getComputedStyle(m); return [s.textDecorationStyle === 'wavy', s.borderBottomStyle === 'dashed',
        s.boxShadow !== 'none', s.backgroundImage !== 'none', s.backgroundColor !== 'rgba(0, 0, 0, 0)'].some(Boolean); }"""
    styled = page.evaluate(f"() => [...document.querySelectorAll('article sourcewise-mark:not(#fake)')].map({drawn})")
    assert styled and all(styled), "our own marks are not styled"  # each label draws a line of its own (#17)
    fake = page.locator("#fake")
    assert fake.evaluate(drawn) is False
    assert fake.evaluate("m => getComputedStyle(m).backgroundColor") == TRANSPARENT
    assert fake.evaluate("m => getComputedStyle(m).cursor") != "help"
    fake.hover()
    fake.focus()
    page.wait_for_timeout(300)
    assert not page.locator("sourcewise-tooltip").is_visible()
    page.locator("article sourcewise-mark").first.hover()
    page.locator("sourcewise-tooltip").wait_for(state="visible")
