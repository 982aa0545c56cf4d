"""#9: a blank line (the block separator the extension sends) always ends a sentence."""

from __future__ import annotations

import re

import pytest

from service.engine import analyze
from service.engine.segmentation import BLANK_LINE

# Our own texts: each joins blocks the parser tends to run together (credit, dateline, prompt,
# heading, list items) with a different kind of blank line.
BLANK_LINE_TEXTS = [
    "MARIA LOPEZ/REUTERS/Getty Images\n\nLISBON —\n\nThe minister said on Friday that the bridge would reopen next month.",
    "Sign up for our morning briefing\n\nThe council may raise parking fees, officials said.",
    "Flood defences in the valley\r\n\r\nEngineers warned that the levee could fail in a storm.",
    "The mayor resigned \n   \n on Monday after the audit was published.",
    "Key points:\n\nprices rose in March\n\t\nwages did not keep up\n\nthe bank is expected to act",
    "Updated 6:05 AM ET\n\n\n\nA train derailed near the border, injuring four people.",
    "The report was released in May\u2029Critics say it ignores rural schools.",
]


@pytest.mark.parametrize("text", BLANK_LINE_TEXTS)
def test_no_result_sentence_contains_a_blank_line(text: str) -> None:
    result = analyze(text)
    for sentence in result["sentences"]:
        assert not BLANK_LINE.search(sentence["text"]), sentence["text"]
    blocks = [block for block in BLANK_LINE.split(text) if block.strip()]
    assert len(result["sentences"]) >= len(blocks)
    for block in blocks:  # each block's first word starts a result sentence
        start = text.index(block) + len(block) - len(block.lstrip())
        assert any(s["start"] == start for s in result["sentences"]), (block, result["sentences"])


def test_single_line_breaks_do_not_split_a_sentence() -> None:
    text = "The senator said the bill\nwould pass before the recess."
    result = analyze(text)
    assert len(result["sentences"]) == 1
    assert result["sentences"][0]["labels"]


def test_text_without_blank_lines_is_segmented_as_before() -> None:
    text = "Officials said the dam held. Experts say it may fail next year."
    assert [s["text"] for s in analyze(text)["sentences"]] == ["Officials said the dam held.", "Experts say it may fail next year."]


@pytest.mark.parametrize("separator", ["\n\n", "\r\n\r\n", "\n \t\n", "\r\r", "\f"])
def test_blank_line_pattern_kinds(separator: str) -> None:
    assert BLANK_LINE.search(f"a{separator}b")
    assert not re.search(BLANK_LINE, "a\nb") and not BLANK_LINE.search("a\r\nb")
