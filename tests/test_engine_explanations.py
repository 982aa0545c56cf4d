"""Explanations a reader understands (#17): a source shown is a noun phrase naming someone, a pronoun comes with
what it refers to, and a cue is a word that carries its meaning there. Sentences of our own."""

from __future__ import annotations

import pytest

from service.engine import analyze
from service.engine.pipeline import get_nlp


def _sentences(text: str) -> list[dict]:
    return analyze(text)["sentences"]


def _last(text: str) -> dict:
    return _sentences(text)[-1]


NOT_SPEAKERS = [
    # a noun phrase doing something that is not speaking or thinking: no source, whatever the learned classifier says
    "The only detour the convoy took was through the old quarry.",
    "The main obstacle the engineers faced was the weather.",
    "The one concession the club made came after the final whistle.",
]


@pytest.mark.parametrize("sentence", NOT_SPEAKERS)
def test_a_phrase_that_names_no_one_is_no_source(sentence: str) -> None:
    first = _sentences(sentence)[0]
    assert first["source"] is None, first
    assert "sourced" not in first["labels"]
    assert "Attributed to" not in first["explanation"]


@pytest.mark.parametrize("sentence", [
    "The senator has long championed cheaper rail fares.",  # a person's role, with a verb no list holds
    "The union slammed the new rota as unsafe.",
    "The campaign leaflet also mentions Olga Brandt, the town's first harbour master.",  # a document that mentions, cites, describes
])
def test_people_and_bodies_still_take_stances(sentence: str) -> None:
    assert _sentences(sentence)[0]["source"] is not None


@pytest.mark.parametrize(("sentence", "cue"), [
    ("The ferry service is expected to resume in April.", "is expected"),
    ("It is thought that the mill closed in 1911.", "It is thought"),
    ("The harbour wall is widely seen as a landmark.", "is widely seen"),
])
def test_a_passive_without_an_agent_is_vague_with_no_source_phrase(sentence: str, cue: str) -> None:
    first = _sentences(sentence)[0]
    assert "vague_source" in first["labels"]
    assert first["source"] is None  # not "Source: is expected"
    assert f"'{cue}' does not say who holds this view" in first["explanation"]


@pytest.mark.parametrize(("text", "pronoun", "refers_to", "shown"), [
    ("Chief engineer Priya Nair said the tunnel was safe. She added that it would open in May.", "She", "Chief engineer Priya Nair",
     "Chief engineer Priya Nair's ('she')"),
    ("Dr. Emil Sorensen visited the clinic on Monday. He said the new ward could treat 40 patients.", "He", "Dr. Emil Sorensen",
     "Dr. Emil Sorensen's ('he')"),
    ("The Halvorsen Group said revenue fell in March. It added that a second plant would open in June.", "It", "The Halvorsen Group",
     "the Halvorsen Group's ('it')"),
])
def test_a_pronoun_source_refers_to_the_name(text: str, pronoun: str, refers_to: str, shown: str) -> None:
    last = _last(text)
    assert last["source"]["text"] == pronoun  # the offsets still point at the pronoun
    assert text[last["source"]["start"] : last["source"]["end"]] == pronoun
    assert last["source"]["refers_to"] == refers_to
    assert shown in last["explanation"]
    assert "')'s" not in last["explanation"]  # not "Mr Obama ('He')'s"


def test_she_after_a_body_spoke_is_not_the_body() -> None:
    text = "Mayor Ines Duarte opened the bridge. The council said the cost was fair. She said it would last a century."
    assert _last(text)["source"]["refers_to"] == "Mayor Ines Duarte"


def test_a_quoted_i_is_the_one_who_said_it_and_so_is_the_next_quoted_sentence() -> None:
    text = '"I expect the vote to be close," Senator Ruth Adler said. "I have never seen a race like it."'
    first, second = _sentences(text)
    assert first["source"]["text"] == "Senator Ruth Adler"
    assert second["source"]["text"] == "Senator Ruth Adler" or second["source"]["refers_to"] == "Senator Ruth Adler"


@pytest.mark.parametrize("text", [
    "The plan, she added, was never approved.",
    "He said the lighthouse would be repainted.",
])
def test_a_pronoun_nothing_earlier_names_is_someone_named_earlier(text: str) -> None:
    first = _sentences(text)[0]
    assert first["source"]["refers_to"] is None
    assert "someone named earlier ('" in first["explanation"]
    assert "Attributed to he" not in first["explanation"] and "Attributed to she" not in first["explanation"]


def test_refers_to_is_null_for_a_name() -> None:
    first = _sentences("Captain Ada Moss said the ship was late.")[0]
    assert first["source"] == {**first["source"], "text": "Captain Ada Moss", "refers_to": None}


NOMINAL = {"NOUN", "PROPN", "PRON", "NUM"}


def test_a_clause_parsed_as_a_subject_gives_its_own_subject() -> None:
    text = "Vance failed to mention the 2019 flood that cut the town off for a week: roads, rail and power lines were lost."
    first = _sentences(text)[0]
    if first["source"] is not None:
        assert first["source"]["text"] == "Vance"


@pytest.mark.parametrize("text", [
    "The ferry service is expected to resume in April. Officials at the port said the delay was regrettable.",
    "Chief engineer Priya Nair said the tunnel was safe. She added that it would open in May.",
    "Critics argue the tax is unfair, and the minister reportedly agreed on Friday.",
])
def test_every_source_shown_is_a_noun_phrase(text: str) -> None:
    doc = get_nlp()(text)
    for sentence in analyze(text)["sentences"]:
        if sentence["source"] is not None:
            span = doc.char_span(sentence["source"]["start"], sentence["source"]["end"], alignment_mode="expand")
            assert span.root.pos_ in NOMINAL, sentence["source"]


CONCESSIVE = [
    "It was a thoughtful, if predictable, reply from the board.",
    "Wages grew steadily, if slowly, through the decade.",
    "The results were modest, if encouraging.",
    "The town's museums are rarely, if ever, crowded in winter.",
    "If anything, the queues grew longer after the change.",
    "The reform is, if you will, a truce between the two unions.",
    "Few residents had heard of the plan, if at all.",
]
CONDITIONAL = [
    ("The bridge, if approved, would cost $40m.", "if approved"),
    ("The council will act, if necessary, to protect the wetland.", "if"),
    ("If so, the ferry will stop running in May.", "If"),
    ("If elected, she would cut bus fares.", "If elected"),
    ("If the river rises again, the road will close.", "If"),
]


@pytest.mark.parametrize("sentence", CONCESSIVE)
def test_a_concessive_if_is_no_condition(sentence: str) -> None:
    first = _sentences(sentence)[0]
    assert not any(c["type"] == "condition" for c in first["cues"]), first["cues"]
    assert "condition" not in first["explanation"]


@pytest.mark.parametrize(("sentence", "cue"), CONDITIONAL)
def test_a_conditional_if_stays_a_condition(sentence: str, cue: str) -> None:
    first = _sentences(sentence)[0]
    assert any(c["type"] == "condition" and c["text"] == cue for c in first["cues"]), first["cues"]


@pytest.mark.parametrize("sentence", [
    "The ambassador reportedly left the capital on Tuesday.",
    "The striker has reportedly agreed a new contract.",
])
def test_reportedly_is_a_vague_report_not_a_belief(sentence: str) -> None:
    first = _sentences(sentence)[0]
    assert "vague_source" in first["labels"]
    assert [c["type"] for c in first["cues"] if c["text"] == "reportedly"] == ["adverb"]
    assert "'reportedly' does not say who reported it" in first["explanation"]
    assert "belief" not in first["explanation"]


def test_allegedly_is_still_doubt() -> None:
    first = _sentences("The driver allegedly ran two red lights.")[0]
    assert "speculative" in first["labels"]
