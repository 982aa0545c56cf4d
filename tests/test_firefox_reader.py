"""The reader's side of the extension in real Firefox (firefox-esr) on a saved news page (#17): every label visible,
one Tab stop per sentence, next / previous keys, the card inside a 900 px window at its bottom, Escape, a report
reaching a server, Dismiss; a report reaching the real service (gunicorn, its own SQLite feedback file) and coming back
out of `sourcewise feedback export`. Events are dispatched from the page (the driver has no native hover)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .firefox_support import build_firefox, firefox_policy, missing_reason, run_firefox
from .reader_checks import (
    CARD_JS,
    FOCUSED_JS,
    READER_STATE_JS,
    SCROLL_NEAR_BOTTOM_JS,
    card_inside_window,
    exported_as_reported,
    feedback_export,
    gunicorn_with_feedback_db,
    service_with_feedback,
    squashed,
)
from .real_pages import page_url
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


def _analysed_page(addon_id: str, url: str, script: str, screenshot: str) -> dict:
    """What ``script`` returns in real Firefox on ``url`` once the extension has marked it (a screenshot in test-artifacts/)."""
    answer = run_firefox(addon_id, [{"url": url, "script": script, "timeoutMs": 120_000, "settleMs": 500,
                                     "viewport": {"width": 1280, "height": 900}, "screenshot": str(ARTIFACTS / screenshot)}], timeout=400)
    (page,) = answer["pages"]
    assert page["state"] == "done", "Firefox never finished analysing the page"
    return page["value"]


def test_firefox_reader_marks_keys_card_report_and_dismiss(addon_id: str, pages_base: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = page_url(pages_base, "nytimes-4")
    with service_with_feedback(api_keys=frozenset({API_KEY})) as (service_url, recorder), \
            firefox_policy(addon_id, {"serverUrl": service_url, "apiKey": API_KEY, "autoAnalyze": True}):
        value = _analysed_page(addon_id, url, READER_SCRIPT, "reader-firefox-nytimes-4.png")
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


# A speculative sentence whose source is "he": its card's source line, then "Wrong label…": speculative is wrong, it
# should be another label it does not carry; Send.
REPORT_SCRIPT = """async () => {
  const card = CARD;
  const textOf = (id) => [...document.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence='${id}']`)].map((m) => m.textContent).join('');
  const stop = [...document.querySelectorAll('sourcewise-mark[data-sourcewise-first][data-sourcewise-label~=speculative]')]
    .find((m) => /^He\\s/.test(textOf(m.getAttribute('data-sourcewise-sentence'))));
  if (!stop) return { found: false };
  const id = stop.getAttribute('data-sourcewise-sentence');
  stop.scrollIntoView({ block: 'center' });
  stop.dispatchEvent(new MouseEvent('mouseenter'));
  const answer = { found: true, sentence: textOf(id), labels: stop.getAttribute('data-sourcewise-label').split(' ') };
  answer.sourceLine = (document.querySelector('sourcewise-tooltip .sourcewise-tooltip-source') || {}).textContent || null;
  answer.before = card();
  document.querySelector('sourcewise-tooltip .sourcewise-wrong').click();
  document.querySelector('sourcewise-tooltip input[type=radio][value=speculative]').checked = true;
  const select = document.querySelector('sourcewise-tooltip select');
  answer.should = [...select.options].map((o) => o.value).find((v) => v && v !== 'sourced') || '';
  select.value = answer.should;
  document.querySelector('sourcewise-tooltip .sourcewise-report-send').click();
  for (let i = 0; i < 100 && !card().reported; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  answer.reported = card();
  return answer;
}""".replace("CARD", CARD_JS)


def test_firefox_report_reaches_the_real_service_and_comes_out_of_export(addon_id: str, pages_base: str, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    url = page_url(pages_base, "bbc-1")
    db = tmp_path / "newsroom" / "feedback.sqlite3"
    with gunicorn_with_feedback_db(db, API_KEY) as service_url, \
            firefox_policy(addon_id, {"serverUrl": service_url, "apiKey": API_KEY, "autoAnalyze": True}):
        value = _analysed_page(addon_id, url, REPORT_SCRIPT, "reader-firefox-report-real-service.png")
    assert value["found"], "no speculative sentence with 'he' as its source on bbc-1"
    # the card names the referent first: "Source: Mr Obama (“he”) · named", not "Source: He (Mr Obama) (named source)"
    assert re.fullmatch(r"Source: (?!He\b)\S.* \(“he”\)( · named)?", value["sourceLine"] or ""), value["sourceLine"]
    assert value["reported"]["reported"], f"the report was not sent: {value['reported']['status']}"
    assert value["should"] and value["should"] not in value["labels"]
    rows = feedback_export(db)
    assert len(rows) == 2, rows
    wrong = next(r for r in rows if r["labels"]["speculative"] is not None)
    missing = next(r for r in rows if r["labels"][value["should"]] is not None)
    exported_as_reported(wrong, "speculative", "wrong")
    exported_as_reported(missing, value["should"], "missing")
    for row in rows:
        assert squashed(row["sentence"]).startswith(squashed(value["sentence"])[:40]), (row["sentence"], value["sentence"])
        assert row["article"] == url
