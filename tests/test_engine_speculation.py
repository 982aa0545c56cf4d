"""Speculation cues, one table per cue type and one for the traps, as a reader would judge them."""

from __future__ import annotations

import pytest

from service.engine import analyze
from service.engine.analysis import sentence_findings
from service.engine.pipeline import get_nlp


def _cues(sentence: str, nlp=None) -> list[tuple[str, str]]:
    """The speculation cues the cue finder states (shown to a reader when the sentence is labelled speculative)."""
    return [(cue.text, cue.label_) for found in sentence_findings((nlp or get_nlp())(sentence)) for cue in found.cues]


def _speculative(sentence: str) -> bool:
    return any("speculative" in s["labels"] for s in analyze(sentence)["sentences"])


@pytest.mark.parametrize(
    ("sentence", "cue", "cue_type"),
    [
        ("The talks may collapse next week.", "may collapse", "epistemic"),
        ("The ceasefire might not hold.", "might", "epistemic"),
        ("Such a scenario could become part of a diplomatic strategy.", "could become", "epistemic"),
        ("A retreat is becoming increasingly likely.", "increasingly likely", "epistemic"),
        ("The minister will possibly resign.", "possibly", "epistemic"),
        ("The report seems to contradict the earlier figures.", "seems", "epistemic"),
        ("It is unclear whether the bridge was damaged.", "unclear", "epistemic"),
        ("Investors believe that rates will fall.", "believe", "doxastic"),
        ("This gives reason to believe that similar rhetoric can be used now.", "gives reason to believe", "doxastic"),
        ("Police suspect that the fire was set deliberately.", "suspect", "doxastic"),
        ("The government is considering the possibility of new sanctions.", "is considering the possibility", "investigation"),
        ("Officials are examining whether the vote was rigged.", "whether", "investigation"),
        ("This step, if implemented, will allow the retreat to be presented as a maneuver.", "if implemented", "condition"),
        ("Talks will resume unless the shelling continues.", "unless", "condition"),
        ("The company is expected to report a loss.", "expected", "prediction"),
        ("The new rules will allow banks to lend more.", "will allow", "prediction"),
        ("Such an exchange should demonstrate Ukraine's willingness to compromise.", "should demonstrate", "prediction"),
    ],
)
def test_speculation_cue_found_with_type(sentence: str, cue: str, cue_type: str) -> None:
    cues = _cues(sentence)
    assert any(cue in text or text in cue for text, _ in cues), cues
    assert (next(t for text, t in cues if cue in text or text in cue)) == cue_type


@pytest.mark.parametrize(
    "sentence",
    [
        "The election was held in May 2024.",
        "The will of the people was clear in the referendum.",
        "He kicked a tin can along the road.",
        "The army lost 1,200 soldiers in the battle.",
        "She acted as if nothing had happened.",
        "As expected, the company reported lower earnings.",
        "The band appeared in the film in 2008.",
    ],
)
def test_not_speculation(sentence: str) -> None:
    assert not _speculative(sentence), _cues(sentence)


# These two were once expected to be plain facts; the reader guide (#9) counts announced future events as
# predictions ("will", "is expected to"), so they are speculative now.
@pytest.mark.parametrize("sentence", ["The train will depart at 9 a.m. on Monday.", "The company will assume $22 million of debt."])
def test_announced_future_events_are_predictions(sentence: str) -> None:
    assert ("will depart" if "train" in sentence else "will assume", "prediction") in _cues(sentence)


def test_might_as_noun_is_not_a_modal() -> None:
    assert ("might", "epistemic") not in _cues("They fought with all their might.")


def test_can_of_factual_ability_is_not_flagged() -> None:
    assert not _speculative("The new bridge can carry 40 tonnes, engineers measured in 2023.")


@pytest.mark.slow
def test_corpus_scheme_pipeline_drops_only_the_reader_rules() -> None:
    """#9: the corpora's scheme calls announced events and questions certain; hedges stay speculative there too."""
    from service.evaluation import corpus_scheme_pipeline

    texts = ["The store will open on December 15.", "Will the deal hold?", "The talks may collapse next week."]
    assert [bool(_cues(text)) for text in texts] == [True, True, True]
    assert [bool(_cues(text, corpus_scheme_pipeline())) for text in texts] == [False, False, True]
