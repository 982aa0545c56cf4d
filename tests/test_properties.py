"""Property tests: for any Unicode text the engine answers, with exact, sorted, non-overlapping spans."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.engine import analyze
from service.web.cache import cache_key

WORDS = ["may", "could", "experts", "say", "according", "to", "the", "Kremlin", "said", "if", "1200", "km", "\r\n", ".", "“", "”",
         "🚀", "👍🏽", "e\u0301", "مرحبا", "\u200f", "\x00", "\ud800", "\udfff", "Zürich", "believe", "it", "is", "reportedly", " "]
ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates included
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=80).map("".join),
)
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # example count: the profile (tests/conftest.py)


def _utf16_units(text: str) -> bytes:
    return text.encode("utf-16-le", "surrogatepass")


def _utf16_slice(text: str, start: int, end: int) -> bytes:
    """The UTF-16 code units of text[start:end] (compared as units: two lone surrogates equal one astral char)."""
    return _utf16_units(text)[start * 2 : end * 2]


def _utf16_length(text: str) -> int:
    return len(_utf16_units(text)) // 2


def check_invariants(text: str, twice: bool = True) -> None:
    units = (
        ("codepoint", lambda t, s, e: t[s:e], lambda reported: reported, len(text)),
        ("utf16", _utf16_slice, _utf16_units, _utf16_length(text)),
    )
    for unit, slicer, as_units, length in units:
        result = analyze(text, offsets=unit)
        previous_end = 0
        for sentence in result["sentences"]:
            assert previous_end <= sentence["start"] < sentence["end"] <= length
            previous_end = sentence["end"]
            assert slicer(text, sentence["start"], sentence["end"]) == as_units(sentence["text"])
            cue_end = sentence["start"]
            for cue in sentence["cues"]:
                assert cue_end <= cue["start"] < cue["end"] <= sentence["end"]
                cue_end = cue["end"]
                assert slicer(text, cue["start"], cue["end"]) == as_units(cue["text"])
            source = sentence["source"]
            if source:
                assert 0 <= source["start"] < source["end"] <= length
                assert slicer(text, source["start"], source["end"]) == as_units(source["text"])
            assert 0.0 <= sentence["score"] <= 1.0
        if twice:
            assert result == analyze(text, offsets=unit)


@PROPERTY
@given(TEXTS)
def test_any_text_gives_exact_sorted_spans(text: str) -> None:
    check_invariants(text)


def test_one_100k_character_sentence() -> None:
    text = ("word " * 20_000).strip()
    check_invariants(text[:100_000], twice=False)


def test_ten_thousand_tiny_sentences() -> None:
    text = " ".join(["It may."] * 10_000)
    result = analyze(text)
    assert result["summary"]["sentences"] > 1_000
    for sentence in result["sentences"]:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]


@settings(max_examples=200, deadline=None)
@given(st.text(ANY_CHAR, max_size=50), st.text(ANY_CHAR, max_size=50), st.sampled_from(["codepoint", "utf16"]), st.sampled_from(["codepoint", "utf16"]))
def test_cache_keys_never_collide(text_a: str, text_b: str, unit_a: str, unit_b: str) -> None:
    if (text_a, unit_a) != (text_b, unit_b):
        assert cache_key("v1", unit_a, text_a) != cache_key("v1", unit_b, text_b)
    assert cache_key("v1", unit_a, text_a) != cache_key("v2", unit_a, text_a)


def test_adjacent_lone_surrogates_count_as_utf16_units() -> None:
    """Regression (issue 4, found by hypothesis): two lone surrogates side by side are the UTF-16 units of one astral character."""
    check_invariants("0\ud800\udc00 may rain. Experts \udc00\ud800 say so.")


def test_cues_never_cross_a_sentence_boundary() -> None:
    """Regression (issue 4, found by hypothesis): a modal pattern ("may" + verb) matched across the end of a sentence."""
    check_invariants("0. said may may 1a may")
