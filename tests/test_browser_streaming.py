"""The extension marks the six saved pages from the streamed answer (#16), in Chromium and in Firefox.

Automatic mode, the service uncached (a new one per module, every page a new text): the marks must arrive in
several batches, the first before the answer is complete, and end as many as the whole answer gives. Timings are
printed; the medians against the target are in bench/first_mark.py.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext

from .browser_support import live_service
from .chromium_extension import configure
from .firefox_support import build_firefox, firefox_policy, missing_reason, run_firefox
from .real_pages import REAL_PAGES, page_url
from .stream_timeline import TIMELINE_INIT_JS, TIMELINE_JS, first_mark_ms, streamed

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _check(name: str, timeline: dict) -> None:
    first = first_mark_ms(timeline)
    print(f"\n{name}: first mark {first:.0f} ms, done {timeline['done']:.0f} ms, {len(timeline['batches'])} batches, {timeline['marks']} marks")
    assert streamed(timeline), f"{name}: not marked from the stream: {timeline}"
    assert sum(count for _, count in timeline["batches"]) >= timeline["marks"] > 0


def test_chromium_marks_the_real_pages_from_the_stream(saved_context: BrowserContext, pages_base: str) -> None:
    with live_service() as service_url:
        configure(saved_context, serverUrl=service_url, autoAnalyze=True)
        saved_context.add_init_script(TIMELINE_INIT_JS)
        for name in REAL_PAGES:
            page = saved_context.new_page()
            try:
                page.goto(page_url(pages_base, name), wait_until="commit", timeout=60_000)
                page.wait_for_selector("html[data-sourcewise-state=done]", state="attached", timeout=120_000)
                timeline = page.evaluate(TIMELINE_JS)
            finally:
                page.close()
            _check(name, timeline)


@pytest.mark.firefox
@pytest.mark.timeout(600)
@pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))
def test_firefox_marks_the_real_pages_from_the_stream(pages_base: str) -> None:
    addon_id = build_firefox()
    with live_service() as service_url, firefox_policy(addon_id, {"serverUrl": service_url, "autoAnalyze": True}):
        jobs = [{"url": page_url(pages_base, name), "script": TIMELINE_JS, "initScript": TIMELINE_INIT_JS, "timeoutMs": 120_000}
                for name in REAL_PAGES]
        answer = run_firefox(addon_id, jobs, timeout=540)
    for name, page in zip(REAL_PAGES, answer["pages"]):
        assert page["state"] == "done", f"{name}: never analysed"
        _check(name, page["value"])
