"""Hostile input (#12): bounded time per request, exact offsets, memory that does not grow, no 5xx.

Each hostile class runs under pytest-timeout, well under gunicorn's 60 s timeout; there are no
other timing asserts (bench/hostile_input.py measures the times against real news).
"""

from __future__ import annotations

import random
import string

import pytest

from service.engine import analyze, analyze_many
from service.engine.limits import (
    DENSITY_SLACK_TOKENS,
    HARD_CAP_FACTOR,
    MAX_RUN_CHARS,
    MAX_SENTENCE_TOKENS,
    MAX_TOKENS_PER_CHAR,
    AnalysisTimeout,
    analysis_deadline,
    sentence_starts,
)
from service.engine.pipeline import get_nlp

SIZE = 20_000


def _fill(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _new_words(count: int, seed: int) -> str:
    rng = random.Random(seed)
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 10))) for _ in range(count)) + "."


HOSTILE = {
    "run of )": _fill(")"),
    "run of quote marks": _fill('"'),
    "run of curly quotes": _fill("“”"),
    "run of $": _fill("$"),
    "he said that repeated": _fill("he said that "),
    "reportedly repeated": _fill("reportedly "),
    "possessive chain (#12 RecursionError)": "the man's " * 1000 + "report said that it rained.",
    "random new words": _new_words(3000, 1),
    ") spaced": _fill(") "),
    "quoted letters": _fill('"a" '),
    "line breaks": _fill("x\n"),
    "he said that. repeated": _fill("he said that. "),
    "long run inside prose": "The minister said that " + "ha" * 5000 + " was the answer. " * 3,
}


@pytest.mark.timeout(40)
@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_is_analysed_with_exact_offsets(name: str) -> None:
    """#12: every hostile class finishes (under the timeout) and every offset still points at its text."""
    text = HOSTILE[name]
    for offsets in ("codepoint",):
        result = analyze(text, offsets=offsets)
        for sentence in result["sentences"]:
            assert text[sentence["start"] : sentence["end"]] == sentence["text"]
            for cue in sentence["cues"]:
                assert text[cue["start"] : cue["end"]] == cue["text"]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_tokens_are_bounded_and_text_is_kept(name: str) -> None:
    """#12: the bounded tokenizer keeps the text, gives no token over MAX_RUN_CHARS unless spaCy's own
    whitespace handling does, and never many more tokens per character than prose has."""
    text = HOSTILE[name]
    doc = get_nlp().make_doc(text)
    assert doc.text == text
    assert len(doc) <= len(text) * MAX_TOKENS_PER_CHAR + DENSITY_SLACK_TOKENS
    assert all(len(token.text.strip()) <= MAX_RUN_CHARS for token in doc)


def test_sentences_are_capped_before_the_parser() -> None:
    """#12: "he said that" repeated was one sentence of thousands of tokens; now none exceeds the cap."""
    doc = get_nlp()(_fill("he said that ", 8000))
    assert max(len(sent) for sent in doc.sents) <= MAX_SENTENCE_TOKENS * HARD_CAP_FACTOR
    assert len(list(doc.sents)) >= len(doc) // (MAX_SENTENCE_TOKENS * HARD_CAP_FACTOR)


def test_the_cap_leaves_prose_alone(seed_fixture: dict) -> None:
    """#12: on real news the cap only confirms starts the parser makes anyway; sentences and tokens are unchanged."""
    nlp = get_nlp()
    text = "\n\n".join([seed_fixture["text"]] * 3)
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in nlp.tokenizer.inner(text)]
    with nlp.select_pipes(disable=["sourcewise_sentence_cap"]):
        free = [(sent.start, sent.end) for sent in nlp(text).sents]
    capped = nlp(text)
    assert [(sent.start, sent.end) for sent in capped.sents] == free
    assert set(sentence_starts(nlp.make_doc(text))) <= {start for start, _ in free}


def test_short_dense_text_is_tokenised_as_ever() -> None:
    """Quotes and punctuation make short texts dense; only long ones are cut at whitespace."""
    nlp = get_nlp()
    text = 'He said: “No.” (Really?) "Yes," she said.'
    assert [t.text for t in nlp.make_doc(text)] == [t.text for t in nlp.tokenizer.inner(text)]


def test_long_runs_are_cut_into_bounded_tokens() -> None:
    text = "Before " + ")" * (MAX_RUN_CHARS * 3 + 7) + " after."
    doc = get_nlp().make_doc(text)
    assert doc.text == text
    assert [len(t) for t in doc if set(t.text) == {")"}] == [MAX_RUN_CHARS] * 3 + [7]


def test_utf16_offsets_stay_exact_with_long_runs() -> None:
    text = "😀" * 250 + " Officials said it may rain. " + "𝔸" * 300
    result = analyze(text, offsets="utf16")
    encoded = text.encode("utf-16-le")
    for sentence in result["sentences"]:
        assert encoded[sentence["start"] * 2 : sentence["end"] * 2].decode("utf-16-le") == sentence["text"]


def test_new_words_do_not_stay_in_the_vocabulary() -> None:
    """#12: memory zones free the strings of every text; the vocabulary does not grow with new words."""
    nlp = get_nlp()
    analyze(_new_words(50, 0))
    before = len(nlp.vocab.strings)
    for seed in range(2, 5):
        analyze(_new_words(400, seed))
    assert len(nlp.vocab.strings) == before


def test_results_outlive_the_memory_zone(seed_fixture: dict) -> None:
    """Results are built inside the zone and stay valid after it (batches larger than one zone too)."""
    texts = [seed_fixture["text"], _new_words(30, 9)] * 3
    results = list(analyze_many(texts, batch_size=4))
    assert results[0] == results[2] == results[4]
    assert results[1]["sentences"][0]["text"] == texts[1]


def test_deadline_stops_an_analysis(seed_fixture: dict) -> None:
    """#12: past the deadline the engine raises AnalysisTimeout, and works normally afterwards."""
    with pytest.raises(AnalysisTimeout), analysis_deadline(0.0):
        analyze(seed_fixture["text"])
    assert analyze("The minister may resign.")["summary"]["speculative"] == 1
