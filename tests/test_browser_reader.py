"""The reader's side of the extension in real Chromium on saved news pages (#17): every label visible, a legend
drawn by the same CSS, the popup's list → scroll → focus, next / previous, one Tab stop per sentence, the card
inside the window at its bottom, Escape, Dismiss, a "Wrong label" report reaching a server, and one reaching the
real service (gunicorn, its own SQLite feedback file) and coming back out of `sourcewise feedback export`.

Screenshots go to test-artifacts/; one of marks on a real page and one of the popup also to docs/img/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from .chromium_extension import configure, service_worker, tab_id_of
from .reader_checks import (
    CARD_JS,
    FOCUSED_JS,
    LEGEND_JS,
    READER_STATE_JS,
    SCROLL_NEAR_BOTTOM_JS,
    FeedbackRecorder,
    card_inside_window,
    card_source_line,
    exported_as_reported,
    feedback_export,
    gunicorn_with_feedback_db,
    service_with_feedback,
    squashed,
)
from .real_pages import page_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DOCS_IMG = ROOT / "docs" / "img"
API_KEY = "reader-key"
DOUBT = ("speculative", "vague_source", "unsourced")


@pytest.fixture(scope="module")
def service() -> Iterator[tuple[str, FeedbackRecorder]]:
    with service_with_feedback(api_keys=frozenset({API_KEY})) as served:
        yield served


def _analysed(saved_context: BrowserContext, service_url: str, base: str, name: str) -> tuple[Page, str, int]:
    extension_id = configure(saved_context, serverUrl=service_url, apiKey=API_KEY, autoAnalyze=False)
    page = saved_context.new_page()
    page.goto(page_url(base, name), wait_until="load", timeout=60_000)
    page.wait_for_timeout(500)
    tab_id = tab_id_of(saved_context, page)
    assert service_worker(saved_context).evaluate("tabId => chrome.tabs.sendMessage(tabId, {type: 'sourcewise:run'})", tab_id) == {"ok": True}
    page.wait_for_selector("html[data-sourcewise-state=done]", state="attached", timeout=120_000)
    return page, extension_id, tab_id


def _channels(signature: str) -> set[str]:
    """Which label channels a drawing uses (marks.css): wavy underline, dashed border, red inset shadow, dotted gradient."""
    line, style, _color, border, _width, _bcolor, shadow, image = signature.split(" | ")
    found = set()
    if "underline" in line and style == "wavy":
        found.add("speculative")
    if border == "dashed":
        found.add("vague_source")
    if shadow != "none":
        found.add("unsourced")
    if "gradient" in image:
        found.add("sourced")
    return found


def test_every_label_shows_calmly_with_one_tab_stop_per_sentence(saved_context: BrowserContext, service, pages_base: str) -> None:
    service_url, _ = service
    page, extension_id, tab_id = _analysed(saved_context, service_url, pages_base, "nytimes-4")
    state = page.evaluate(READER_STATE_JS)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader-chromium-nytimes-4.png"), full_page=True)
    # every label combination draws each of its labels, and different combinations draw differently
    combos = state["combos"]
    assert any(len(key.split()) >= 2 for key in combos), f"no two-label sentence on the page: {list(combos)}"
    for key, signatures in combos.items():
        assert len(signatures) == 1, f"{key} is drawn in {len(signatures)} ways: {signatures}"
        assert _channels(signatures[0]) == set(key.split()), f"{key} draws {_channels(signatures[0])}"
    assert len({signatures[0] for signatures in combos.values()}) == len(combos)
    # calm: no background at rest; emphasis only on words that carry a label
    assert state["restBackgrounds"] == ["rgba(0, 0, 0, 0)"]
    assert state["emphasis"], "no cue word is emphasised"
    for cue in state["emphasis"]:
        assert re.search(r"[^\W\d_]", cue["text"]), f"emphasis on {cue['text']!r}"
        assert cue["kind"] in ("speculation", "attribution") and cue["label"] in ("speculative", "vague_source"), cue
    # exactly one Tab stop per marked sentence, each described by the card
    assert state["stops"] == state["sentences"] and state["stopsOnLaterFragments"] == 0, state
    assert state["marks"] > state["sentences"], "no sentence is split into fragments: the test would prove nothing"
    assert state["described"]
    listed = page.evaluate("() => document.querySelectorAll('sourcewise-mark[data-sourcewise-first]').length")
    flagged = service_worker(saved_context).evaluate(
        "tabId => chrome.storage.session.get(`tab:${tabId}`).then(s => s[`tab:${tabId}`].result.sentences.filter(x => x.labels.length).length)", tab_id)
    assert listed <= flagged and listed >= flagged - 2, f"{listed} Tab stops for {flagged} flagged sentences"
    # Tab moves from one sentence to the next, never into a later fragment of the same one
    page.focus("sourcewise-mark[data-sourcewise-first]")
    seen = []
    for _ in range(6):
        focused = page.evaluate(FOCUSED_JS)
        if focused:
            seen.append(focused["sentence"])
        page.keyboard.press("Tab")
    assert len(seen) == len(set(seen)), f"one sentence took two Tab stops: {seen}"

    # the legend in the popup is drawn by the same CSS as the marks
    popup = saved_context.new_page()
    popup.set_viewport_size({"width": 400, "height": 800})
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.wait_for_selector("#flagged:not([hidden])")
    legend = popup.evaluate(LEGEND_JS)
    assert set(legend) == {"speculative", "vague_source", "unsourced", "sourced"}
    for label, signature in legend.items():
        if label in combos:
            assert signature == combos[label][0], f"the legend's {label} differs from the page's {label} marks"
        assert _channels(signature) == {label}
    popup.screenshot(path=str(ARTIFACTS / "reader-chromium-popup.png"), full_page=True)
    popup.close()

    # a calm page, one sentence hovered: the screenshot for the README
    stop = page.locator("sourcewise-mark[data-sourcewise-first][data-sourcewise-label*=' ']").nth(2)
    stop.evaluate("m => window.scrollBy(0, m.getBoundingClientRect().top - 320)")
    stop.hover()
    page.wait_for_selector("sourcewise-tooltip:not([hidden])")
    page.screenshot(path=str(ARTIFACTS / "reader-chromium-hover.png"))
    card = page.evaluate(CARD_JS)
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    top = max(0, min(card["top"], 320) - 150)
    page.screenshot(path=str(DOCS_IMG / "marks-nytimes.png"), clip={"x": 0, "y": top, "width": 1000, "height": 440})
    page.close()


def test_popup_list_next_previous_card_escape_and_dismiss(saved_context: BrowserContext, service, pages_base: str) -> None:
    service_url, _ = service
    page, extension_id, tab_id = _analysed(saved_context, service_url, pages_base, "herald-sun-1")
    popup = saved_context.new_page()
    popup.set_viewport_size({"width": 400, "height": 900})
    popup.goto(f"chrome-extension://{extension_id}/popup.html?tab={tab_id}")
    popup.wait_for_selector("#flagged:not([hidden])")
    # the list: by label, each group in page order; every sentence on the page is listed
    groups = popup.evaluate("""() => [...document.querySelectorAll('#flagged-groups ol')].map(ol => ({label: ol.dataset.label,
        refs: [...ol.querySelectorAll('button')].map(b => Number(b.dataset.ref)), texts: [...ol.querySelectorAll('button')].map(b => b.textContent)}))""")
    stops = page.evaluate("() => document.querySelectorAll('sourcewise-mark[data-sourcewise-first]').length")
    assert {g["label"] for g in groups} >= {"speculative", "sourced"}
    all_refs = {ref for g in groups for ref in g["refs"]}
    assert len(all_refs) == stops
    page_order = page.evaluate("() => [...document.querySelectorAll('sourcewise-mark[data-sourcewise-first]')].map(m => m.textContent)")
    for group in groups:
        assert group["refs"] == sorted(group["refs"]) or len(group["refs"]) < 2, f"{group['label']} not in page order"
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    popup.screenshot(path=str(ARTIFACTS / "reader-chromium-popup-herald.png"), full_page=True)
    popup.screenshot(path=str(DOCS_IMG / "popup.png"), clip={"x": 0, "y": 0, "width": 400, "height": 640})
    # list → scroll → focus: the last listed sentence of the last group, far down the page
    page.evaluate("() => window.scrollTo(0, 0)")
    target_text = groups[-1]["texts"][-1]
    popup.locator("#flagged-groups ol").last.locator("button").last.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'SOURCEWISE-MARK'", timeout=10_000)
    focused = page.evaluate(FOCUSED_JS)
    assert focused["inView"], "the chosen sentence was not scrolled into the window"
    sentence_js = """() => { const id = document.activeElement.getAttribute('data-sourcewise-sentence');
        return [...document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='${id}']`)].map(m => m.textContent).join(''); }"""
    assert target_text.rstrip("…").strip()[:20] in page.evaluate(sentence_js)
    # next / previous from the popup's buttons and from the page's keys
    page.evaluate("() => document.activeElement.blur()")
    popup.click("#next")
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'SOURCEWISE-MARK'", timeout=10_000)
    first = page.evaluate(FOCUSED_JS)
    popup.click("#next")
    page.wait_for_function(f"() => document.activeElement.getAttribute('data-sourcewise-sentence') !== '{first['sentence']}'", timeout=10_000)
    second = page.evaluate(FOCUSED_JS)
    popup.click("#previous")
    page.wait_for_function(f"() => document.activeElement.getAttribute('data-sourcewise-sentence') === '{first['sentence']}'", timeout=10_000)
    popup.close()
    page.bring_to_front()
    page.keyboard.press("Alt+Shift+N")
    assert page.evaluate(FOCUSED_JS)["sentence"] == second["sentence"]
    page.keyboard.press("Alt+Shift+P")
    assert page.evaluate(FOCUSED_JS)["sentence"] == first["sentence"]
    assert page_order[0] and stops >= 3

    # the card near the bottom of a 900 px window: above the mark, inside the window; Escape closes it
    page.evaluate("() => document.activeElement.blur()")
    near = page.evaluate(SCROLL_NEAR_BOTTOM_JS, [stops // 2, 40])
    assert near["height"] == 900 and near["top"] > 800, near
    page.mouse.move((near["left"] + min(near["right"], near["left"] + 40)) / 2, (near["top"] + near["bottom"]) / 2)
    page.wait_for_selector("sourcewise-tooltip:not([hidden])")
    card = page.evaluate(CARD_JS)
    page.screenshot(path=str(ARTIFACTS / "reader-chromium-card-bottom.png"))
    assert card_inside_window(card, near), f"the card leaves the window: {card}"
    assert card["placement"] == "above" and card["bottom"] <= near["top"], card
    page.keyboard.press("Escape")
    assert page.evaluate(CARD_JS)["hidden"] is True
    # Dismiss: that sentence's marks go, its text stays, one Tab stop fewer
    page_text = "() => [...document.body.childNodes].filter(n => n.nodeName !== 'SOURCEWISE-TOOLTIP').map(n => n.textContent).join('')"
    text_before = page.evaluate(page_text)
    page.mouse.move(0, 0)
    page.mouse.move((near["left"] + min(near["right"], near["left"] + 40)) / 2, (near["top"] + near["bottom"]) / 2)
    page.wait_for_selector("sourcewise-tooltip:not([hidden])")
    page.click("sourcewise-tooltip .sourcewise-dismiss")
    assert page.evaluate(f"() => document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='{near['sentence']}']`).length") == 0
    assert page.evaluate("() => document.querySelectorAll('sourcewise-mark[data-sourcewise-first]').length") == stops - 1
    assert page.evaluate(page_text) == text_before
    page.close()


def test_wrong_label_report_reaches_the_server(saved_context: BrowserContext, service, pages_base: str) -> None:
    service_url, recorder = service
    page, _, _ = _analysed(saved_context, service_url, pages_base, "bbc-1")
    before = len(recorder.reports)
    assert before == 0 or all(r["body"]["url"] for r in recorder.reports)
    stop = page.locator("sourcewise-mark[data-sourcewise-first][data-sourcewise-label~=speculative]:not([data-sourcewise-label~=sourced])").nth(1)
    stop.scroll_into_view_if_needed()
    sentence_id = stop.get_attribute("data-sourcewise-sentence")
    stop.hover()
    page.wait_for_selector("sourcewise-tooltip:not([hidden])")
    page.wait_for_timeout(300)
    assert len(recorder.reports) == before, "something was sent before the reader pressed Send"
    page.click("sourcewise-tooltip .sourcewise-wrong")
    page.check("sourcewise-tooltip input[type=radio][value=speculative]")
    page.select_option("sourcewise-tooltip select", "sourced")
    page.screenshot(path=str(ARTIFACTS / "reader-chromium-report-form.png"))
    page.click("sourcewise-tooltip .sourcewise-report-send")
    page.wait_for_selector("sourcewise-tooltip[data-sourcewise-reported]", state="attached", timeout=10_000)
    assert "report was sent" in page.evaluate(CARD_JS)["status"]
    sentence_text = page.evaluate(f"""() => [...document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='{sentence_id}']`)]
        .map(m => m.textContent).join('')""")
    reports = recorder.reports[before:]
    assert [r["body"]["verdict"] for r in reports] == ["wrong", "missing"]
    assert [r["body"]["label"] for r in reports] == ["speculative", "sourced"]
    for report in reports:
        body = report["body"]
        assert set(body) == {"sentence", "context", "labels", "label", "verdict", "url"}
        assert report["authorization"] == f"Bearer {API_KEY}" and report["type"].startswith("application/json")
        assert re.sub(r"\s+", "", body["sentence"]).startswith(re.sub(r"\s+", "", sentence_text)[:40])
        assert "speculative" in body["labels"] and isinstance(body["context"], str) and body["context"]
        assert body["url"] == page_url(pages_base, "bbc-1")
    page.close()


SESSION_SENTENCES_JS = "tabId => chrome.storage.session.get(`tab:${tabId}`).then(s => s[`tab:${tabId}`].result.sentences)"


def test_a_report_reaches_the_real_service_and_comes_out_of_export(saved_context: BrowserContext, pages_base: str, tmp_path: Path) -> None:
    db = tmp_path / "newsroom" / "feedback.sqlite3"
    with gunicorn_with_feedback_db(db, API_KEY) as service_url:
        page, _, tab_id = _analysed(saved_context, service_url, pages_base, "bbc-1")
        sentences = service_worker(saved_context).evaluate(SESSION_SENTENCES_JS, tab_id)
        stop_of = "sourcewise-mark[data-sourcewise-first][data-sourcewise-sentence='{}']".format
        # a speculative sentence whose source is a pronoun the engine tied to a name ("He" → "Mr Obama")
        index = next(i for i, s in enumerate(sentences) if s["source"] and s["source"]["refers_to"] and "speculative" in s["labels"]
                     and s["source"]["text"].lower() in {"he", "she"} and page.locator(stop_of(i)).count() == 1)
        sentence = sentences[index]
        stop = page.locator(stop_of(index))
        stop.scroll_into_view_if_needed()
        stop.hover()
        page.wait_for_selector("sourcewise-tooltip:not([hidden])")
        page.screenshot(path=str(ARTIFACTS / "reader-chromium-card-source.png"))
        line = page.text_content("sourcewise-tooltip .sourcewise-tooltip-source")
        assert line == card_source_line(sentence["source"]), line  # "Source: Mr Obama (“he”) · named"
        assert line.startswith(f"Source: {sentence['source']['refers_to']} (“") and "named source" not in line
        page.wait_for_timeout(300)
        assert not db.exists() or feedback_export(db) == [], "something was stored before the reader pressed Send"
        page.click("sourcewise-tooltip .sourcewise-wrong")
        should = next(label for label in ("vague_source", "unsourced", "sourced") if label not in sentence["labels"])
        page.check("sourcewise-tooltip input[type=radio][value=speculative]")
        page.select_option("sourcewise-tooltip select", should)
        page.screenshot(path=str(ARTIFACTS / "reader-chromium-report-real-service.png"))
        page.click("sourcewise-tooltip .sourcewise-report-send")
        page.wait_for_selector("sourcewise-tooltip[data-sourcewise-reported]", state="attached", timeout=10_000)
        assert "report was sent" in page.evaluate(CARD_JS)["status"]
        page.close()
    rows = feedback_export(db)  # the service has stopped: the reports are on disk
    assert len(rows) == 2, rows
    wrong = next(r for r in rows if r["labels"]["speculative"] is not None)
    missing = next(r for r in rows if r["labels"][should] is not None)
    exported_as_reported(wrong, "speculative", "wrong")
    exported_as_reported(missing, should, "missing")
    for row in rows:
        assert squashed(row["sentence"]) == squashed(sentence["text"]), row["sentence"]
        assert row["article"] == page_url(pages_base, "bbc-1")
