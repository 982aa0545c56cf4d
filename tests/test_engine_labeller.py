"""The learned labels (#15): inputs, features, scores, sensitivities, and the weights' identity."""

from __future__ import annotations

import json

import pytest

from service.engine import analyze, analyze_many, model_version
from service.engine.analysis import label_contexts, sentence_findings
from service.engine.label_features import feature_names
from service.engine.label_inputs import CONTEXT_TOKENS, SENTENCE_TOKENS, encode_pairs, load_tokenizer
from service.engine.labeller import SENSITIVITIES, _model_path, labels_at, load_combiner, weights_hash
from service.engine.pipeline import get_nlp
from service.web.cache import cache_key

LABELS = ("speculative", "vague_source", "unsourced", "sourced")
ARTICLE = (
    "Officials said 40 people were hurt in the blast on Tuesday. Experts say the bridge could collapse within a year.\n\n"
    "It is believed the contractor cut corners. The Ministry of Transport will publish its review in May, according to "
    "its spokesman, Ana Costa. Will the repairs be enough?"
)


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(str(_model_path("tokenizer.json")))


def test_sentence_comes_first_and_context_keeps_its_end(tokenizer) -> None:
    [(ids, segments)] = encode_pairs(tokenizer, ["The dam failed."], ["word " * 200 + "The river rose sharply."])
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    first_sep = ids.index(sep)
    assert ids[0] == cls and tokenizer.decode(ids[1:first_sep]) == "the dam failed."
    context = ids[first_sep + 1 : -1]
    assert len(context) == CONTEXT_TOKENS and tokenizer.decode(context).endswith("the river rose sharply.")
    assert segments == [0] * (first_sep + 1) + [1] * (len(ids) - first_sep - 1)


def test_long_sentence_is_cut_and_no_context_means_one_segment(tokenizer) -> None:
    [(ids, segments)] = encode_pairs(tokenizer, ["many " * 500], [""])
    assert len(ids) == SENTENCE_TOKENS + 2 and set(segments) == {0}


def test_every_sentence_has_a_probability_per_label() -> None:
    result = analyze(ARTICLE)
    assert result["sensitivity"] == "balanced"
    for sentence in result["sentences"]:
        assert set(sentence["scores"]) == set(LABELS)
        assert all(0.0 <= p <= 1.0 for p in sentence["scores"].values())


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_labels_are_the_scores_over_the_sensitivitys_thresholds(sensitivity: str) -> None:
    thresholds = load_combiner().thresholds[sensitivity]
    for sentence in analyze(ARTICLE, sensitivity=sensitivity)["sentences"]:
        if sentence["scores"] == dict.fromkeys(LABELS, 0.0):
            continue  # a line that is not judged
        expected = [label for label in LABELS if sentence["scores"][label] >= thresholds[label] - 5e-4]
        assert set(sentence["labels"]) <= set(expected)
        assert set(expected) - set(sentence["labels"]) <= {label for label in LABELS if abs(sentence["scores"][label] - thresholds[label]) < 5e-4}


def test_stricter_sensitivity_never_marks_more() -> None:
    marks = {s: [set(x["labels"]) for x in analyze(ARTICLE, sensitivity=s)["sentences"]] for s in SENSITIVITIES}
    for strict, balanced, sensitive in zip(marks["strict"], marks["balanced"], marks["sensitive"]):
        assert strict <= balanced <= sensitive
    thresholds = load_combiner().thresholds
    for label in LABELS:
        assert thresholds["strict"][label] >= thresholds["balanced"][label] >= thresholds["sensitive"][label]


def test_unknown_sensitivity_is_refused() -> None:
    with pytest.raises(ValueError):
        analyze("Text.", sensitivity="paranoid")
    with pytest.raises(ValueError):
        labels_at(dict.fromkeys(LABELS, 0.5), "paranoid")


def test_a_sentences_scores_do_not_depend_on_what_else_is_analysed() -> None:
    alone = analyze(ARTICLE)
    together = list(analyze_many(["An unrelated note about 3 cats.", ARTICLE, "Maybe it will rain."]))[1]
    assert [s["scores"] for s in alone["sentences"]] == [s["scores"] for s in together["sentences"]]


def test_context_is_the_two_sentences_before() -> None:
    doc = get_nlp()("One fell. Two rose. Three held. Four broke.")
    contexts = label_contexts(sentence_findings(doc))
    assert contexts == ["", "One fell.", "One fell. Two rose.", "Two rose. Three held."]
    assert label_contexts(sentence_findings(get_nlp()("Four broke.")), before=("Two rose.", "Three held.")) == ["Two rose. Three held."]


def test_the_answer_names_the_weights_and_the_cache_key_follows_them() -> None:
    assert model_version().endswith(f"+labels-{weights_hash()}")
    assert analyze("Text.")["model"] == model_version()
    keys = {cache_key(model_version(), "codepoint", "Text.", s) for s in SENSITIVITIES}
    assert len(keys) == 3
    assert cache_key("other-weights", "codepoint", "Text.", "balanced") != cache_key(model_version(), "codepoint", "Text.", "balanced")


def test_the_shipped_combiner_matches_the_features_and_carries_its_out_of_fold_scores() -> None:
    data = json.loads(_model_path("combiner.json").read_text(encoding="utf-8"))
    assert set(data["feature_names"]) <= set(feature_names())
    for label in LABELS:
        assert len(data["labels"][label]["weights"]) == len(LABELS) + len(data["feature_names"])
    scores = data["out_of_fold"]["combined"]["balanced"]["all"]
    assert scores["rows"] > 5000 and all(0.0 <= scores[label]["f1"] <= 1.0 for label in LABELS)


def test_encoder_threads_share_the_cores_among_web_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.engine import labeller

    monkeypatch.setattr(labeller.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    monkeypatch.delenv(labeller.THREADS_ENV, raising=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    assert labeller.default_threads() == 2
    monkeypatch.setenv("WEB_CONCURRENCY", "8")
    assert labeller.default_threads() == 1
    monkeypatch.setenv(labeller.THREADS_ENV, "3")
    assert labeller.default_threads() == 3


def test_a_forked_process_makes_its_own_session() -> None:
    import os

    from service.engine.labeller import encoder

    analyze("It may rain.")
    parent = encoder()._session
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        analyze("It may snow.")
        os.write(write, b"1" if encoder()._session is not parent and encoder()._pid == os.getpid() else b"0")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 1) == b"1"
