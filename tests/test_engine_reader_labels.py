"""Labels a careful reader agrees with (#9): one table per defect class, with sentences of our own.

Each row is (text, index of the judged sentence in it, labels it must carry, labels it must not carry).
The judged sentence is read in its context, as the reader guide asks.
"""

from __future__ import annotations

import pytest

from service.engine import analyze


def _labels(text: str, number: int) -> set[str]:
    return set(analyze(text)["sentences"][number]["labels"])


def _check(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    labels = _labels(text, number)
    assert must <= labels and not (must_not & labels), labels


# unsourced: the author's own experience or opinion, framing lines and a source named nearby are not unsourced,
# and a plain technical claim is (#9)
@pytest.mark.parametrize(
    ("text", "number", "must", "must_not"),
    [
        ("I have worked as a nurse in three hospitals since 2004.", 0, set(), {"unsourced"}),
        ("My wife and I moved to Leeds in 1998 and opened a bakery there.", 0, set(), {"unsourced"}),
        ("I met Ana at a concert in Porto. We got married in 2003 and had three children.", 1, set(), {"unsourced"}),
        ("My grandfather sold his farm for $40,000 in 1971.", 0, set(), {"unsourced"}),
        ("The figures for 2023 were as follows:", 0, set(), {"unsourced"}),
        ("The new harbour master is a patient, careful negotiator with a dry wit.", 0, set(), {"unsourced"}),
        ("The Ministry of Transport published its annual review on Tuesday. It found that 40 percent of bridges need repair.",
         1, set(), {"unsourced"}),
        ("Many assume the treaty ended the dispute. But a report released Monday by Leiden University's law centre calls that into question.",
         1, {"sourced"}, {"unsourced"}),
        ("The merger could cost 3,000 jobs at the two plants.", 0, {"speculative"}, {"unsourced"}),
        ("This drains the phone's battery overnight.", 0, {"unsourced"}, set()),
        ("The update deleted the backups on every server.", 0, {"unsourced"}, set()),
    ],
)
def test_unsourced_as_a_reader_judges(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    _check(text, number, must, must_not)


# vague_source: an identified source speaking is not vague; passive reputation framings are (#9)
@pytest.mark.parametrize(
    ("text", "number", "must", "must_not"),
    [
        ("Nordwind Airlines cancelled 40 flights on Sunday. It said the storm had closed two runways.", 1, {"sourced"}, {"vague_source"}),
        ("Dr Amal Haddad, a chemist who warned about the leak in 2019, repeated her warning on Friday.", 0, set(), {"vague_source"}),
        ("“That is not a budget, that is a wish list,” Mayor Ortiz told reporters.", 0, {"sourced"}, {"vague_source"}),
        ("Do you think the bridge should be rebuilt?", 0, set(), {"vague_source"}),
        ("The team at Uppsala University tracked 900 wolves for a decade. The researchers wonder whether the packs will recover.",
         1, set(), {"vague_source"}),
        ("The merger, say bankers, will reshape the dairy market.", 0, {"vague_source"}, set()),
        ("The talks collapsed at midnight, said one Labour source in the room.", 0, {"vague_source"}, {"sourced"}),
        ("Democrats say the budget leaves 4,000 teachers unpaid.", 0, {"vague_source"}, {"sourced"}),
        ("Budget hawks have warned for years that the debt will become unpayable.", 0, {"vague_source"}, {"sourced"}),
        ("Smart Living: the kettle that boils in 40 seconds.", 0, set(), {"sourced", "vague_source"}),
        ("The herb has long been heralded as a cure for insomnia.", 0, {"vague_source"}, set()),
        ("The harbour is seen by many as the birthplace of the town's fishing trade.", 0, {"vague_source"}, set()),
        ("The story of the bridge is usually told like this.", 0, {"vague_source"}, set()),
    ],
)
def test_vague_source_as_a_reader_judges(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    _check(text, number, must, must_not)


# speculative: announced future events, a bare reported "would" and questions are speculative; plain past quotes are not (#9)
@pytest.mark.parametrize(
    ("text", "number", "must", "must_not"),
    [
        ("The museum will open its new wing on March 3.", 0, {"speculative"}, set()),
        ("Soon you'll be able to renew a passport online.", 0, {"speculative"}, set()),
        ("The council is going to vote on the plan next week.", 0, {"speculative"}, set()),
        ("The airline plans to add six routes next year.", 0, {"speculative"}, set()),
        ("The coach said he would step down after the final.", 0, {"speculative", "sourced"}, set()),
        ("Why did the regulator wait so long?", 0, {"speculative"}, {"unsourced"}),
        ("The cause of the fire has not been determined, the fire chief said.", 0, {"speculative", "sourced"}, set()),
        ("“We finished the bridge in June,” the engineer said.", 0, set(), {"speculative"}),
        ("“I sold the house in 2010 and moved north,” Ms Varga said.", 0, {"sourced"}, {"speculative"}),
        ("She believes in ghosts.", 0, set(), {"speculative"}),
        ("In 1912 the crew planned to sail north, and they reached the ice in May.", 0, set(), {"speculative"}),
    ],
)
def test_speculative_as_a_reader_judges(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    _check(text, number, must, must_not)


def test_question_cue_is_explained() -> None:
    sentence = analyze("Will the ceasefire hold?")["sentences"][0]
    assert any(cue["type"] == "question" for cue in sentence["cues"])
    assert "question" in sentence["explanation"]
