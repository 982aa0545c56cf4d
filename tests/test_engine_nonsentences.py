"""#9: credits, bylines, datelines, interface strings and text with no clause are not judged;
headlines and short real sentences still are. Texts are our own, not the reader-judged dev set's."""

from __future__ import annotations

import pytest

from service.engine import analyze
from service.engine.nonsentence import NO_CLAUSE_EXPLANATION, classify
from service.engine.pipeline import get_nlp

NON_SENTENCES = [
    # photo and reporting credits
    ("KEVIN LAMARQUE/REUTERS/Getty Images", "credit"),
    ("Maria Ortiz / The Riverside Herald", "credit"),
    ("Photo: Jane Roe/Reuters", "credit"),
    ("Image courtesy of the city council", "credit"),
    ("Photograph by Sam Winter for The Guardian", "credit"),
    ("Anna Lee contributed reporting from Seoul.", "credit"),
    ("Reporting by Jane Doe; Editing by John Roe", "credit"),
    ("Additional reporting by Priya Nair in Mumbai.", "credit"),
    # bylines and author notes
    ("By Jane Doe and John Roe", "byline"),
    ("By SARAH KLEIN, Associated Press", "byline"),
    ("Tom Smith is a senior reporter at The Daily Planet.", "byline"),
    ("Rosa Delgado has covered public health for The Courier since 2015.", "byline"),
    # datelines and timestamps
    ("LONDON (Reuters) —", "dateline"),
    ("NAIROBI, Kenya —", "dateline"),
    ("Updated 5:32 PM ET", "dateline"),
    ("Published: March 3, 2024 at 9:15 a.m.", "dateline"),
    ("Last updated on Tuesday, 14 May 2024", "dateline"),
    ("Oct. 4, 2023", "dateline"),
    # interface strings
    ("Share this story", "interface"),
    ("ADVERTISING", "interface"),
    ("Advertisement", "interface"),
    ("Related: Experts say the bridge may collapse", "interface"),
    ("Read more: Officials said the plan would cost $2 billion", "interface"),
    ("Sign up for our newsletter to get the latest news", "interface"),
    ("Subscribe now", "interface"),
    ("Click here to read more", "interface"),
    ("Follow us on Twitter", "interface"),
    ("Continue reading the main story", "interface"),
    ("Home | World | Business | Sport", "interface"),
    ("[Video: The senator speaks in Ohio]", "interface"),
    # chart axis labels, legends, subheads: no clause
    ("Percent of G.D.P.", "no_clause"),
    ("Billions of dollars, adjusted for inflation", "no_clause"),
    ("2010 2015 2020", "no_clause"),
    ("Spending on defense", "no_clause"),
    ("A trip to the coast", "no_clause"),
]


@pytest.mark.parametrize(("text", "kind"), NON_SENTENCES)
def test_non_sentences_are_recognised(text: str, kind: str) -> None:
    doc = get_nlp()(text)
    assert classify(doc[:]) == kind


@pytest.mark.parametrize(("text", "kind"), NON_SENTENCES)
def test_non_sentences_come_back_unlabelled_and_uncounted(text: str, kind: str) -> None:
    result = analyze(text)
    assert result["sentences"]
    for sentence in result["sentences"]:  # the parser may cut a long timestamp in two: neither half is judged
        assert sentence["labels"] == [] and sentence["claim"] is False and sentence["score"] == 0.0
        assert sentence["cues"] == [] and sentence["source"] is None
        assert sentence["explanation"].startswith("Not a sentence")
    assert result["summary"] == {"sentences": 0, "speculative": 0, "vague_source": 0, "unsourced": 0, "sourced": 0}


# Headlines and short real sentences: judged, with the labels a reader expects.
REAL_SENTENCES = [
    ("Experts say the bridge may collapse.", {"speculative", "vague_source"}),
    ("It could rain.", {"speculative"}),
    ("Critics slammed the plan.", {"vague_source"}),
    ("Obama says gun laws are his biggest frustration", {"sourced"}),
    ("Analysts: Rates could rise again", {"speculative", "vague_source"}),
    ("Poll: Wealthy Voters Abandon Republican Party for Hillary Clinton.", {"vague_source"}),
    ("By then, the troops had left the city.", set()),
    ("Share prices fell 5% on Monday.", set()),
    ("Updated figures show unemployment rose in May.", set()),
    ("The mayor resigned.", set()),
    ("Will the deal survive?", set()),
    ("Firefighters Battle Blaze Near Sydney Harbour", set()),
    ("Society at large deserves access to safe and affordable transportation.", set()),
    ("Consider the evidence.", set()),
    ("Thousands of shootings, according to police.", {"vague_source"}),  # no clause, but attributed
]


@pytest.mark.parametrize(("text", "labels"), REAL_SENTENCES)
def test_headlines_and_short_sentences_are_still_judged(text: str, labels: set[str]) -> None:
    result = analyze(text)
    assert len(result["sentences"]) == 1
    sentence = result["sentences"][0]
    assert not sentence["explanation"].startswith("Not a sentence"), sentence["explanation"]
    assert labels <= set(sentence["labels"])
    assert result["summary"]["sentences"] == 1


def test_a_quotations_signature_is_judged_with_its_quote() -> None:
    result = analyze("“We will win this fight.” — Jane Doe, a nurse from Leeds")
    assert all("sourced" in s["labels"] for s in result["sentences"])


def test_page_furniture_around_a_story_is_not_judged_but_the_story_is() -> None:
    text = ("DARIO LOPEZ/AFP/Getty Images\n\nMADRID —\n\nBy Elena Ruiz\n\nUpdated 7:15 AM ET\n\n"
            "Officials said the rail strike may last into next week.\n\nSign up for our newsletter\n\n"
            "Critics say the talks have stalled.\n\nShare this story")
    result = analyze(text)
    judged = [s for s in result["sentences"] if not s["explanation"].startswith("Not a sentence")]
    assert [s["text"] for s in judged] == ["Officials said the rail strike may last into next week.", "Critics say the talks have stalled."]
    assert "speculative" in judged[0]["labels"] and "vague_source" in judged[1]["labels"]
    unjudged = [s for s in result["sentences"] if s not in judged]
    assert len(unjudged) == 6 and all(s["labels"] == [] and s["claim"] is False for s in unjudged)
    assert result["summary"]["sentences"] == 2
    assert result["summary"]["vague_source"] == sum("vague_source" in s["labels"] for s in judged)


def test_no_clause_explanation_is_distinct() -> None:
    assert analyze("Spending on defense")["sentences"][0]["explanation"] == NO_CLAUSE_EXPLANATION
