"""Factual claims and the unsourced label."""

from __future__ import annotations

import pytest

from service.engine import analyze


def _first(text: str) -> dict:
    return analyze(text)["sentences"][0]


@pytest.mark.parametrize(
    "sentence",
    [
        "About 1200 square kilometers came under Kyiv's control in 2024.",
        "Unemployment fell to 3.9 percent in March.",
        "The company paid $4.5 million for the site.",
        "Russia launched a counteroffensive in the Kursk region.",
    ],
)
def test_checkable_assertion_without_source_is_unsourced(sentence: str) -> None:
    found = _first(sentence)
    assert found["claim"] is True
    assert "unsourced" in found["labels"]
    assert any(cue["kind"] == "claim" for cue in found["cues"])


@pytest.mark.parametrize(
    "sentence",
    [
        "The context of this proposal is related to the current military situation.",
        "What happens next?",
        "Hope matters.",
    ],
)
def test_framing_is_not_a_claim(sentence: str) -> None:
    found = _first(sentence)
    assert found["claim"] is False
    assert "unsourced" not in found["labels"]


def test_sourced_claim_is_not_unsourced() -> None:
    found = _first("Unemployment fell to 3.9 percent in March, the Labor Department said.")
    assert found["claim"] is True
    assert "unsourced" not in found["labels"]
    assert "sourced" in found["labels"]
