"""The service's demo page in real Chromium: the same renderer as the extension."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from .browser_support import CHROMIUM, CHROMIUM_ARGS, MARKS_SCRIPT, engine_judgement_failures, judgement_failures, live_service
from .conftest import FIXTURES

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    with live_service() as url:
        yield url


def test_demo_page_marks_the_seed_article(service_url: str, seed_fixture: dict) -> None:
    text = (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(service_url + "/")
            page.fill("#text", text)
            page.click("#analyse")
            page.wait_for_selector("body[data-sourcewise-state=done]")
            marks = [mark for mark in page.evaluate(MARKS_SCRIPT) if mark["sentence"] is not None]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "demo-page.png"), full_page=True)
            assert judgement_failures(marks, seed_fixture) == engine_judgement_failures(seed_fixture)  # the page adds no error of its own
            assert page.locator("#profile tbody tr").count() == 4
            page.locator("#result sourcewise-mark[data-sourcewise-label~=speculative]").first.hover()
            assert "Speculative" in page.locator("sourcewise-tooltip").text_content()
            page.fill("#text", "")
            page.click("#analyse")
            page.wait_for_function("() => document.querySelectorAll('#result sourcewise-mark').length === 0")
        finally:
            browser.close()


def test_demo_page_offers_the_sample_says_when_empty_and_its_legend_is_the_marks(service_url: str) -> None:
    """#17: "Try the sample article" fills in the seed article; Analyse on an empty box says so (no table of zeros);
    the legend's swatches are drawn exactly like the marks of each label; a sensitivity can be chosen."""
    from .reader_checks import LEGEND_JS, READER_STATE_JS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(service_url + "/")
            page.click("#analyse")
            page.wait_for_selector("body[data-sourcewise-state=empty]")
            assert page.locator("#hint").is_visible() and "empty" in page.locator("#hint").text_content()
            assert page.locator("#profile").is_hidden()
            assert page.locator("#sensitivity option").count() == 4
            page.select_option("#sensitivity", "balanced")
            with page.expect_request(lambda r: r.url.endswith("/analyze")) as request:
                page.click("#sample")
            assert request.value.post_data_json["sensitivity"] == "balanced"
            page.wait_for_selector("body[data-sourcewise-state=done]")
            assert page.input_value("#text") == (FIXTURES / "seed_article.txt").read_text(encoding="utf-8")
            assert page.locator("#hint").is_hidden()
            state = page.evaluate(READER_STATE_JS)
            legend = page.evaluate(LEGEND_JS)
            for label in ("speculative", "unsourced", "sourced"):
                assert legend[label] == state["combos"][label][0], f"the legend's {label} is not drawn like the marks"
            assert any(len(key.split()) == 2 for key in state["combos"])
            page.screenshot(path=str(ARTIFACTS / "demo-page-sample.png"), full_page=True)
        finally:
            browser.close()


def test_demo_card_names_a_pronouns_referent_first(service_url: str) -> None:
    """#17: the demo's card shows "Source: Chief engineer Priya Nair (“she”) · named", not "She (…) (named source)"."""
    text = "Chief engineer Priya Nair said the tunnel was safe.\n\nShe added that it would open in May."
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(service_url + "/")
            page.fill("#text", text)
            page.click("#analyse")
            page.wait_for_selector("body[data-sourcewise-state=done]")
            page.locator("#result sourcewise-mark[data-sourcewise-first][data-sourcewise-sentence='1']").hover()
            page.wait_for_selector("sourcewise-tooltip:not([hidden])")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "demo-card-source.png"))
            line = page.locator("sourcewise-tooltip .sourcewise-tooltip-source").text_content()
            assert line == "Source: Chief engineer Priya Nair (“she”) · named", line
            page.keyboard.press("Escape")  # the card opened above the second sentence covers the first
            page.mouse.move(0, 0)
            page.wait_for_selector("sourcewise-tooltip[hidden]", state="attached")
            page.locator("#result sourcewise-mark[data-sourcewise-first][data-sourcewise-sentence='0']").hover()
            page.wait_for_function("() => document.querySelector('sourcewise-tooltip .sourcewise-tooltip-source').textContent"
                                   " === 'Source: Chief engineer Priya Nair · named'")
        finally:
            browser.close()
