"""Administrator settings in real Chromium: chrome.storage.managed from /etc/chromium/policies/managed (#10)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from .browser_pages import messy_page_html
from .browser_support import live_service, static_page
from .chromium_extension import EXTENSION, extension_context, service_worker
from .chromium_policy import chromium_policy, policy_missing_reason, unpacked_extension_id

pytestmark = [pytest.mark.browser, pytest.mark.skipif(policy_missing_reason() is not None, reason=str(policy_missing_reason()))]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ALL_LABELS = ["speculative", "vague_source", "unsourced", "sourced"]
MARK_LABELS = "() => [...document.querySelectorAll('sourcewise-mark')].map(m => m.dataset.sourcewiseLabel)"


@pytest.fixture
def context(tmp_path: Path) -> Iterator[BrowserContext]:
    with extension_context(tmp_path / "profile", offline=True) as context:
        yield context


def test_managed_policy_overrides_the_reader_settings_in_chromium(context: BrowserContext) -> None:
    extension_id = unpacked_extension_id(EXTENSION)
    reader = {"serverUrl": "http://127.0.0.1:9", "apiKey": "reader-key", "autoAnalyze": False, "labels": ALL_LABELS}
    with live_service(api_keys=frozenset({"newsroom-key"})) as service_url, static_page(messy_page_html()) as page_url, \
            chromium_policy(extension_id) as set_policy:
        policy = {"serverUrl": service_url, "apiKey": "newsroom-key", "autoAnalyze": True, "labels": ["sourced"]}
        set_policy(policy)
        worker = service_worker(context)
        assert worker.url.split("/")[2] == extension_id, "the policy names another extension id than Chromium gave"
        worker.evaluate("settings => chrome.storage.sync.set(settings)", reader)
        managed = worker.evaluate("() => chrome.storage.managed.get(null)")
        if not managed:  # Chromium may still be loading the policy directory at start-up
            worker.evaluate("() => new Promise(done => chrome.storage.onChanged.addListener((c, area) => area === 'managed' && done()))")
        assert worker.evaluate("() => chrome.storage.managed.get(null)") == policy

        page = context.new_page()
        page.goto(page_url)
        page.wait_for_selector("html[data-sourcewise-state=done]", timeout=60_000)
        labels = page.evaluate(MARK_LABELS)
        assert labels and all("sourced" in label.split() for label in labels), "labels hidden by policy were shown"

        options = context.new_page()
        options.goto(f"chrome-extension://{extension_id}/options.html")
        options.wait_for_selector(".managed-badge")
        ARTIFACTS.mkdir(exist_ok=True)
        options.screenshot(path=str(ARTIFACTS / "chromium-options-managed.png"), full_page=True)
        assert options.input_value("#serverUrl") == service_url
        assert options.is_disabled("#serverUrl") and options.is_disabled("#apiKey")
        assert options.is_disabled("input[name=mode][value=click]") and options.is_checked("input[name=mode][value=auto]")
        assert options.is_visible("#managed-note")
        assert worker.evaluate("() => chrome.storage.sync.get(null)") == reader, "the reader's own settings are kept"

        # the administrator changes the policy: the open page follows without a reload
        set_policy({**policy, "labels": ["sourced", "speculative"]})
        page.wait_for_function("() => [...document.querySelectorAll('sourcewise-mark')].some(m => m.dataset.sourcewiseLabel.includes('speculative'))",
                               timeout=60_000)
        options.wait_for_function("() => document.querySelector('#labels input[value=speculative]').checked")
