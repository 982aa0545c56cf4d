"""What the labeller is told about each sentence (#15): one sentence of our own per class of feature."""

from __future__ import annotations

import pytest

from service.engine.analysis import sentence_findings
from service.engine.label_features import feature_names
from service.engine.pipeline import get_nlp


def _features(text: str, sentence: int = -1) -> dict[str, float]:
    found = [f for f in sentence_findings(get_nlp()(text)) if f.features is not None]
    return dict(zip(feature_names(), found[sentence].features))


@pytest.mark.parametrize(("text", "feature"), [
    ("The talks may collapse next week.", "cue:epistemic"),
    ("Investors believe that rates will fall.", "cue:doxastic"),
    ("Officials are examining whether the vote was rigged.", "cue:investigation"),
    ("If the dam fails, the valley will flood.", "cue:condition"),
    ("The minister will resign in March.", "cue:prediction"),
    ("Will the deal hold?", "cue:question"),
    ("By March, according to the Institute for the Study of War, Ukraine had lost half of the land.", "named:according_to"),
    ("Reuters reported that the plant was closed.", "named:reporting_verb"),
    ("Experts say the drought will worsen.", "vague:reporting_verb"),
    ("It is believed that the general was dismissed.", "vague:passive"),
    ("The minister reportedly resigned on Friday.", "vague:adverb"),
    ("Police arrested 40 people on Friday.", "claim"),
    ("Police arrested 40 people on Friday.", "claim_without_source"),
    ("Prices rose 4% in May.", "evidence:percent"),
    ("The fund lost $3 billion last year.", "evidence:money"),
    ("Will the deal hold?", "question_mark"),
    ('"We will not retreat," Zelensky said on Monday.', "quoted"),
    ("Chief engineer Priya Nair spoke on Monday. She said the tunnel was safe.", "pronoun_source"),
    ('"I believe that the Tory plans are a call to return to the past," he said.', "first_person_source"),  # a first-person stance inside a quote
    ("Reuters reported that the plant was closed. The workers went home.", "previous:named"),
    ("Experts say the drought will worsen. The farmers are leaving.", "previous:vague"),
    ("The talks may collapse. The envoys went home.", "previous:speculation"),
])
def test_each_class_of_finding_reaches_the_labeller(text: str, feature: str) -> None:
    assert _features(text)[feature] == 1.0


@pytest.mark.parametrize(("text", "feature"), [
    ("The committee met on the second floor.", "cue:epistemic"),
    ("Reuters reported that the plant was closed.", "claim_without_source"),
    ("The workers went home.", "previous:named"),
    ("The talks collapsed.", "question_mark"),
])
def test_a_finding_that_is_not_there_is_off(text: str, feature: str) -> None:
    assert _features(text)[feature] == 0.0


def test_length_grows_with_the_words() -> None:
    assert _features("The talks collapsed.")["log_words"] < _features("The long talks in the old capital collapsed late on Friday night.")["log_words"]


def test_the_rules_run_only_for_a_combiner_that_weighs_them() -> None:
    """The hand-written rules are features the shipped combiner does not use: serving skips them, and asking
    for them (as training/fit_combiner.py does) changes only their own columns."""
    from service.engine.label_features import uses_rules
    from service.engine.labeller import load_combiner

    assert uses_rules(["cue:epistemic", "rule:speculative"]) and uses_rules(["exception:prescription"])
    assert not uses_rules(["cue:epistemic", "previous:named"])
    assert not load_combiner().uses_rules
    doc = get_nlp()("Experts say the drought will worsen. Police arrested 40 people on Friday.")
    lean, full = sentence_findings(doc), sentence_findings(doc, rules=True)
    assert [f.rule for f in lean] == [None, None]
    assert [f.rule.labels for f in full] == [["speculative", "vague_source"], ["unsourced"]]
    rule_columns = {i for i, name in enumerate(feature_names()) if uses_rules([name])}
    for a, b in zip(lean, full):
        assert [v for i, v in enumerate(a.features) if i not in rule_columns] == [v for i, v in enumerate(b.features) if i not in rule_columns]
    assert any(full[1].features[i] for i in rule_columns)
