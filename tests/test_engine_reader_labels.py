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


# Second round (#9): classes of false doubt marks found in the reader-judged dev set, with sentences of our own.
@pytest.mark.parametrize(
    ("text", "number", "must", "must_not"),
    [
        # the writer's own acts are not a source; a quoted "I", or an unquoted one right after a named speaker, is
        ("I asked the minister how many schools had closed since 2019.", 0, set(), {"sourced", "unsourced"}),
        ("We asked whether the ferry would keep running after 2025.", 0, set(), {"sourced"}),
        ("“I asked for a recount,” Ms Brandt said.", 0, {"sourced"}, set()),
        ("The deals take years to build, Ms Brandt said. I think patience matters most in this business.", 1, {"sourced"}, set()),
        # a denied stance attributes nothing to anyone
        ("The mayor did not unveil a plan to pay for the tunnel.", 0, set(), {"sourced"}),
        # someone named holding a whole clause is the sentence's source
        ("The Law Society is concerned the rules would slow every trial.", 0, {"sourced"}, {"unsourced"}),
        # a forecast with no date is speculation, not a claim to source; an announced, dated event still is one
        ("Rival polls will begin to track 40 races, and that will shape the contest.", 0, {"speculative"}, {"unsourced"}),
        ("The bill will be debated in the Senate on Thursday.", 0, {"unsourced"}, set()),
        # a prescription is the writer's opinion
        ("The agency needs to open 12 more clinics for veterans.", 0, set(), {"unsourced"}),
        ("The Pentagon must return the $3 billion it overspent.", 0, set(), {"unsourced"}),
        # the writer's family, continued by a pronoun, is the writer's own story
        ("My father sold our house in 1975. He also bought 40 acres of woodland in Maine.", 1, set(), {"unsourced"}),
        ("My sister and I left Lagos as teenagers. She went to Leeds and I to Bristol. We opened two shops there in 1999.",
         2, set(), {"unsourced"}),
        # "the survey" the article has introduced speaks for its own method; alone, nothing does
        ("A new poll by Harbor Research puts support for the tunnel at 61 percent. The survey was conducted May 2-5 among 900 adults.",
         1, set(), {"unsourced"}),
        ("The survey was conducted May 2-5 among 900 adults.", 0, {"unsourced"}, set()),
        # two apostrophes open and close a quotation (PolNeAR's NYT articles): the speaker carries over
        ("''We will rebuild the pier,'' Mayor Ortiz said. ''Even now, the town is not finished.''", 1, {"sourced"}, {"unsourced"}),
        # an accusation with no accuser named is a vague source
        ("The inspectors have often been accused of ignoring the smaller villages.", 0, {"vague_source"}, set()),
        # a named source followed by a no-break space is still "it", the organisation just named
        ("The Harbour Gazette endorsed Ms Lee on Friday. Meanwhile, it\u00a0attacked the mayor, saying he “has failed the harbour.”",
         1, {"sourced"}, {"vague_source"}),
    ],
)
def test_second_round_false_marks(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    _check(text, number, must, must_not)


def test_a_date_is_not_part_of_the_speaker() -> None:
    found = analyze("Trump this week also said he would consider naming a new envoy.")["sentences"][0]
    assert found["source"]["text"] == "Trump"
    assert "vague_source" not in found["labels"]


def test_a_media_caption_line_is_not_judged() -> None:
    result = analyze("[Video: FULL SPEECH: Mayor Ortiz at the Harbour Gala in Boston (5/3/24) Watch on YouTube.]")
    assert all(not s["labels"] and not s["claim"] for s in result["sentences"])


@pytest.mark.parametrize(("confidence", "sourced"), [(0.45, False), (0.8, True)])
def test_a_deed_the_classifier_is_unsure_of_is_neither_sourced_nor_unsourced(confidence: float, sourced: bool) -> None:
    from service.engine.attribution import Attribution
    from service.engine.judgement import judge
    from service.engine.pipeline import get_nlp

    doc = get_nlp()("Lawyers for the family filed papers opposing the sale on Monday.")
    sentence = next(iter(doc.sents))
    relation = Attribution("stance", doc[4:5], doc[0:4], "named", confidence=confidence)
    verdict = judge([], [relation], [], True, sentence=sentence)
    assert ("sourced" in verdict.labels) is sourced
    assert "unsourced" not in verdict.labels
    assert verdict.source is relation  # the actor stays the sentence's source, as attribution corpora count it
    if not sourced:
        assert "reports what lawyers for the family did" in verdict.explanation.lower()


# third round (#9): cue words in uses the reader guide never counts as uncertain, and a poll's respondents speaking
@pytest.mark.parametrize(
    ("text", "number", "must", "must_not"),
    [
        ("“We will do everything possible to reopen the clinic,” the mayor said.", 0, {"speculative"}, set()),  # "will" still counts
        ("The firefighters did everything possible to save the mill.", 0, set(), {"speculative"}),
        ("Ferries left the island as quickly as possible after the storm warning.", 0, set(), {"speculative"}),
        ("The coach called it the worst possible start to the season.", 0, set(), {"speculative"}),
        ("It is possible that the bridge was damaged earlier.", 0, {"speculative"}, set()),
        ("She indicated that she had already signed the lease.", 0, set(), {"speculative"}),
        ("The tree rings indicate that the drought lasted decades.", 0, {"speculative"}, set()),
        ("The town needed a new plan for its harbour. Mayor Lena Ortiz has come up with one.", 1, set(), {"unsourced"}),
        ("Senator Abdi has put those questions back on the agenda.", 0, set(), {"unsourced"}),
        ("Ms Haddad was speaking to Reuters at her office in Amman.", 0, set(), {"unsourced"}),
        ("Senator Abdi sold the family vineyard to a Chilean wine group in 2019.", 0, {"unsourced"}, set()),
        ("Auditors from the Rhine Water Board, checking the same pipes, came to a similar conclusion.", 0, {"sourced"}, {"unsourced"}),
        ("The Ostrava Energy Institute reached the same finding in 2021.", 0, {"sourced"}, {"unsourced"}),
        ("The hikers came to a wide river in 2021 and crossed it by raft.", 0, set(), {"sourced"}),
        ("The treaty protects fishing rights by providing that each boat is inspected once a year.", 0, set(), {"speculative"}),
        ("Ferries will sail on Sunday, provided that the wind drops.", 0, {"speculative"}, set()),
        ("Tariffs were introduced because they protect young industries from competition.", 0, set(), {"unsourced"}),
        ("The county raised water tariffs because the plant cut its output.", 0, {"unsourced"}, set()),
        ("Mayor Ortiz didn't need a landslide in the Tuesday vote.", 0, set(), {"unsourced"}),
        ("A Harbour Institute poll of 900 fishermen was released on Monday. Thirty percent said they had sold their boats.",
         1, {"sourced"}, {"vague_source"}),
    ],
)
def test_third_round_false_marks(text: str, number: int, must: set[str], must_not: set[str]) -> None:
    _check(text, number, must, must_not)
