"""Access to the engine's data files (word lists and patterns) and its trained classifiers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab


def _data_file(name: str):
    return resources.files("service.engine").joinpath("data").joinpath(name)


@cache
def load_json(name: str) -> Any:
    """Load a JSON data file shipped beside the engine."""
    return json.loads(_data_file(name).read_text(encoding="utf-8"))


@cache
def load_jsonl(name: str) -> tuple[dict, ...]:
    """Load a JSON Lines data file shipped beside the engine."""
    lines = _data_file(name).read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


@cache
def load_classifier(path: str) -> Language:
    """Load a trained classifier shipped in the package under ``models/`` (or from a directory path)."""
    packaged = resources.files("service.engine").joinpath(path)
    location = Path(str(packaged)) if packaged.is_dir() else Path(path)
    classifier = spacy.load(location)
    LOADED_CLASSIFIERS.append(classifier)
    return classifier


LOADED_CLASSIFIERS: list[Language] = []  # their vocabularies are warmed with the pipeline's (pipeline.warm_vocab)


def keep_lexemes(vocab: Vocab) -> None:
    """Make a lexeme for every string the model knows, once, outside any memory zone.

    Lexemes made inside a memory zone are freed when it closes (#12), so without this every batch would make
    them again for the words (or classifier features) a model has always known; now a zone only makes and frees
    lexemes for strings new to the model. Costs about 3 s and 58 MB for the four models together, so a process
    does it once it analyses more than one batch (``pipeline.warm_vocab``), not for a one-off sentence.
    """
    for string in list(vocab.strings):
        vocab[string]


def feature_doc(vocab: Vocab, features: str) -> Doc:
    """A feature string as a Doc, one token per space-separated feature: the same in training and at runtime,
    and cheaper than running a language's tokenizer over it."""
    return Doc(vocab, words=features.split())


def classify(classifier: Language, feature_strings: Iterable[str], label: str) -> list[float]:
    """The classifier's probability of ``label`` for each feature string."""
    with classifier.memory_zone():  # feature strings name every new word: free them afterwards (#12)
        docs = (feature_doc(classifier.vocab, features) for features in feature_strings)
        return [doc.cats[label] for doc in classifier.pipe(docs)]
