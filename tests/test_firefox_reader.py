"""The reader's side of the extension in real Firefox (firefox-esr) on a saved news page (#17): every label visible,
one Tab stop per sentence, next / previous keys, the card inside a 900 px window at its bottom, Escape, a report
reaching a server, Dismiss. Events are dispatched from the page (the driver has no native hover)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .firefox_support import build_firefox, firefox_policy, missing_reason, run_firefox
from .reader_checks import CARD_JS, FOCUSED_JS, READER_STATE_JS, SCROLL_NEAR_BOTTOM_JS, card_inside_window, service_with_feedback
from .real_pages import page_url, serve_pages
from .test_browser_reader import API_KEY, _channels

pytestmark = [pytest.mark.browser, pytest.mark.firefox, pytest.mark.slow,
              pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

READER_SCRIPT = """async () => {
  const focused = FOCUSED;
  const card = CARD;
  const key = (k, code, mods = {}) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, code, bubbles: true, ...mods }));
  const answer = { state: (STATE)() };
  key('N', 'KeyN', { altKey: true, shiftKey: true });
  answer.first = focused();
  key('N', 'KeyN', { altKey: true, shiftKey: true });
  answer.second = focused();
  key('P', 'KeyP', { altKey: true, shiftKey: true });
  answer.back = focused();
  document.activeElement.blur();
  const stops = [...document.querySelectorAll('sourcewise-mark[data-sourcewise-first]')];
  const index = Math.floor(stops.length / 2);
  answer.near = (NEAR)([index, 40]);
  const mark = stops[index];
  mark.dispatchEvent(new MouseEvent('mouseenter'));
  answer.card = card();
  key('Escape', 'Escape');
  answer.afterEscape = card();
  mark.dispatchEvent(new MouseEvent('mouseenter'));
  document.querySelector('sourcewise-tooltip .sourcewise-wrong').click();
  const radio = document.querySelector('sourcewise-tooltip input[type=radio]');
  radio.checked = true;
  answer.disputed = radio.value;
  document.querySelector('sourcewise-tooltip .sourcewise-report-send').click();
  for (let i = 0; i < 100 && !card().reported; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  answer.reported = card();
  answer.sentence = [...document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='${answer.near.sentence}']`)].map((m) => m.textContent).join('');
  document.querySelector('sourcewise-tooltip .sourcewise-dismiss').click();
  answer.leftOfDismissed = document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='${answer.near.sentence}']`).length;
  answer.stopsAfter = document.querySelectorAll('sourcewise-mark[data-sourcewise-first]').length;
  return answer;
}""".replace("FOCUSED", FOCUSED_JS).replace("CARD", CARD_JS).replace("STATE", READER_STATE_JS).replace("NEAR", SCROLL_NEAR_BOTTOM_JS)


@pytest.fixture(scope="module")
def addon_id() -> str:
    return build_firefox()


@pytest.fixture(scope="module")
def pages_base() -> Iterator[str]:
    with serve_pages() as base:
        yield base


def test_firefox_reader_marks_keys_card_report_and_dismiss(addon_id: str, pages_base: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = page_url(pages_base, "nytimes-4")
    with service_with_feedback(api_keys=frozenset({API_KEY})) as (service_url, recorder), \
            firefox_policy(addon_id, {"serverUrl": service_url, "apiKey": API_KEY, "autoAnalyze": True}):
        answer = run_firefox(addon_id, [{"url": url, "script": READER_SCRIPT, "timeoutMs": 120_000, "settleMs": 500,
                                         "viewport": {"width": 1280, "height": 900},
                                         "screenshot": str(ARTIFACTS / "reader-firefox-nytimes-4.png")}], timeout=400)
    (page,) = answer["pages"]
    assert page["state"] == "done", "Firefox never finished analysing the page"
    value = page["value"]
    state = value["state"]
    combos = state["combos"]
    assert any(len(key.split()) >= 2 for key in combos)
    for key, signatures in combos.items():
        assert len(signatures) == 1 and _channels(signatures[0]) == set(key.split()), f"{key}: {signatures}"
    assert len({signatures[0] for signatures in combos.values()}) == len(combos)
    assert state["restBackgrounds"] == ["rgba(0, 0, 0, 0)"]
    assert state["stops"] == state["sentences"] and state["stopsOnLaterFragments"] == 0 and state["described"]
    # Alt+Shift+N twice, then Alt+Shift+P: the first, the second, the first again
    assert value["first"] and value["second"] and value["first"]["sentence"] != value["second"]["sentence"]
    assert value["back"]["sentence"] == value["first"]["sentence"]
    near, card = value["near"], value["card"]
    assert near["height"] == 900 and near["top"] > 800, near
    assert card["hidden"] is False and card_inside_window(card, near) and card["placement"] == "above", card
    assert value["afterEscape"]["hidden"] is True
    assert value["reported"]["reported"], f"the report was not sent: {value['reported']['status']}"
    (report,) = recorder.reports
    body = report["body"]
    assert report["authorization"] == f"Bearer {API_KEY}"
    assert set(body) == {"sentence", "context", "labels", "label", "verdict", "url"}
    assert body["label"] == value["disputed"] and body["verdict"] == "wrong" and body["url"] == url
    assert "".join(body["sentence"].split()).startswith("".join(value["sentence"].split())[:40])
    assert value["leftOfDismissed"] == 0 and value["stopsAfter"] == state["stops"] - 1
