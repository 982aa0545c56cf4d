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


@pytest.mark.parametrize(
    "sentence",
    [
        # spoken rhetoric: first and second person, nothing to check (the trained classifier decides)
        "I want to thank everyone for being here tonight in Cleveland.",
        "My plan will bring jobs back to Ohio.",
        "I think we can do better than that, and I will fight for you.",
    ],
)
def test_first_person_rhetoric_is_not_a_claim(sentence: str) -> None:
    assert _first(sentence)["claim"] is False


@pytest.mark.parametrize(
    "sentence",
    [
        "We have lost 70,000 factory jobs since 2001.",  # first person, but a statistic
        "Unemployment among young people has doubled under this administration.",  # no number, still checkable
    ],
)
def test_the_classifier_finds_claims_the_evidence_rules_do_not_decide(sentence: str) -> None:
    found = _first(sentence)
    assert found["claim"] is True
    assert "unsourced" in found["labels"]
    assert "who says so" in found["explanation"]


def test_decision_rule() -> None:
    from service.engine.claim_detector import is_claim

    assert is_claim(0.9, has_evidence=False, personal=True, threshold=0.4)
    assert is_claim(0.05, has_evidence=True, personal=False, threshold=0.4)  # third-person report with evidence
    assert not is_claim(0.05, has_evidence=True, personal=True, threshold=0.4)  # "I" with a number: the classifier decides
    assert not is_claim(0.3, has_evidence=False, personal=False, threshold=0.4)


def test_first_person_speculation_is_explained_as_the_speakers() -> None:
    found = _first('"I think we can do better than that."')  # quoted: someone speaking, not the writer (#9)
    assert "the speaker's own ('I')" in found["explanation"]


@pytest.mark.parametrize(
    "sentence",
    [
        "In exchange, Kyiv and Washington could demand that Russia withdraw its forces.",
        "The ministry may ask Siemens to rebuild the plant.",
    ],
)
def test_hedged_actions_are_not_presented_as_fact(sentence: str) -> None:
    found = _first(sentence)
    assert "speculative" in found["labels"]
    assert "unsourced" not in found["labels"]
    assert "as fact" not in found["explanation"]
