"""Attribution: who says so, named or vague."""

from __future__ import annotations

import pytest

from service.engine import analyze


def _first(text: str) -> dict:
    return analyze(text)["sentences"][0]


@pytest.mark.parametrize(
    ("sentence", "source", "kind"),
    [
        ("By early March, according to the Institute for the Study of War (ISW), Ukraine had lost half of the territory.",
         "the Institute for the Study of War (ISW)", "named"),
        ("The Kremlin has repeatedly stated that it does not intend to make concessions.", "The Kremlin", "named"),
        ("Reuters reported that the plant was closed.", "Reuters", "named"),
        ("\"We will not retreat,\" Zelensky said on Monday.", "Zelensky", "named"),
        ("Prime Minister Keir Starmer told reporters that the deal was done.", "Prime Minister Keir Starmer", "named"),
        ("Such a scenario, according to analysts, could become part of a strategy.", "analysts", "vague"),
        ("Experts say the drought will worsen.", "Experts", "vague"),
        ("Sources familiar with the matter said the talks had stalled.", "Sources familiar with the matter", "vague"),
        ("Such an exchange, according to the plan, should demonstrate goodwill.", "the plan", "vague"),
        ("Some critics claim that the figures were inflated.", "Some critics", "vague"),
    ],
)
def test_source_and_kind(sentence: str, source: str, kind: str) -> None:
    found = _first(sentence)["source"]
    assert found is not None
    assert found["text"] == source
    assert found["kind"] == kind
    expected_label = "sourced" if kind == "named" else "vague_source"
    assert expected_label in _first(sentence)["labels"]


@pytest.mark.parametrize(
    "sentence",
    [
        "It is believed that the general was dismissed.",
        "The minister reportedly resigned on Friday.",
        "The tanker is said to have left port.",
    ],
)
def test_agentless_attribution_is_vague(sentence: str) -> None:
    assert "vague_source" in _first(sentence)["labels"]
    assert "sourced" not in _first(sentence)["labels"]


def test_hypothetical_speech_is_not_attribution() -> None:
    sentence = _first("In exchange, Kyiv and Washington could demand that Russia withdraw its forces.")
    assert "sourced" not in sentence["labels"]
    assert "speculative" in sentence["labels"]


def test_speculation_by_named_source_says_whose() -> None:
    sentence = _first("The central bank said that inflation could rise further next year.")
    assert {"speculative", "sourced"} <= set(sentence["labels"])
    assert "The central bank" in sentence["explanation"]


def test_pronoun_continues_named_speaker() -> None:
    result = analyze("Defence minister Rustem Umerov said the line was holding. He added that reinforcements had arrived.")
    second = result["sentences"][1]
    assert "sourced" in second["labels"]


def test_quote_continuation_inherits_the_source() -> None:
    text = 'Mayor Anne Hidalgo said on Tuesday that the bridge would reopen. "The repairs cost 3 million euros."'
    second = analyze(text)["sentences"][1]
    assert "unsourced" not in second["labels"]
    assert second["source"] is not None and second["source"]["text"] == "Mayor Anne Hidalgo"
