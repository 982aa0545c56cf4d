"""The result JSON: shape, offsets in both units, the seed fixture, determinism."""

from __future__ import annotations

import pytest

from service.engine import analyze, analyze_many
from service.evaluation import seed_failures


def _utf16_slice(text: str, start: int, end: int) -> str:
    encoded = text.encode("utf-16-le", "surrogatepass")
    return encoded[start * 2 : end * 2].decode("utf-16-le", "surrogatepass")


def _all_spans(result: dict) -> list[dict]:
    spans = []
    for sentence in result["sentences"]:
        spans.append(sentence)
        spans.extend(sentence["cues"])
        if sentence["source"]:
            spans.append(sentence["source"])
    return spans


OFFSET_TEXTS = [
    "🚀🚀 Experts say the launch could fail. Officials said 3 rockets exploded in 2023.",
    "Café owners in Zürich, according to analysts, might close. Señor Pérez said prices rose 5%.",
    "Line one may be wrong.\r\nAccording to sources, 40 people died.\r\n👍🏽 It is believed that the dam failed.",
    "Combining marks: e\u0301 and n\u0303 — the minister reportedly resigned in May 2024.",
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_codepoint_offsets_slice_exactly(text: str) -> None:
    result = analyze(text)
    assert result["offsets"] == "codepoint"
    for span in _all_spans(result):
        assert text[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_utf16_offsets_slice_exactly(text: str) -> None:
    result = analyze(text, offsets="utf16")
    assert result["offsets"] == "utf16"
    for span in _all_spans(result):
        assert _utf16_slice(text, span["start"], span["end"]) == span["text"]


def test_utf16_offsets_shift_after_emoji() -> None:
    text = "🚀 Experts say the launch could fail."
    codepoint = analyze(text)["sentences"][-1]
    utf16 = analyze(text, offsets="utf16")["sentences"][-1]
    assert utf16["end"] == codepoint["end"] + 1
    assert utf16["cues"][0]["start"] == codepoint["cues"][0]["start"] + 1


def test_unknown_offset_unit_is_refused() -> None:
    with pytest.raises(ValueError):
        analyze("Text.", offsets="bytes")


def test_empty_and_blank_text_have_no_sentences() -> None:
    for text in ["", "   \n\t  "]:
        result = analyze(text)
        assert result["sentences"] == []
        assert result["summary"]["sentences"] == 0


def test_result_shape_and_summary(seed_fixture: dict) -> None:
    result = analyze(seed_fixture["text"])
    assert result["model"].startswith("sourcewise-")
    assert set(result["summary"]) == {"sentences", "speculative", "vague_source", "unsourced", "sourced"}
    assert result["summary"]["sentences"] == len(result["sentences"])
    for sentence in result["sentences"]:
        assert 0.0 <= sentence["score"] <= 1.0
        assert sentence["explanation"]
        starts = [cue["start"] for cue in sentence["cues"]]
        assert starts == sorted(starts)
        for earlier, later in zip(sentence["cues"], sentence["cues"][1:]):
            assert earlier["end"] <= later["start"]


def test_seed_article_matches_reader_judgement(seed_fixture: dict) -> None:
    result = analyze(seed_fixture["text"])
    assert seed_failures(seed_fixture, result) == []


def test_flagged_seed_sentences_explain_their_cues(seed_fixture: dict) -> None:
    result = analyze(seed_fixture["text"])
    second = result["sentences"][1]
    assert "could become" in second["explanation"]
    assert "according to analysts" in second["explanation"]


def test_analyze_many_keeps_order_and_equals_single() -> None:
    texts = ["Experts say it may rain.", "The Kremlin said it would not negotiate.", "", "Prices rose 4% in May."]
    batch = list(analyze_many(texts))
    assert batch == [analyze(text) for text in texts]


def test_same_input_same_output(seed_fixture: dict) -> None:
    assert analyze(seed_fixture["text"]) == analyze(seed_fixture["text"])


def test_symbol_only_fragments_are_not_sentences() -> None:
    result = analyze("🚀 Experts say the launch could fail.")
    assert [s["text"] for s in result["sentences"]] == ["Experts say the launch could fail."]
