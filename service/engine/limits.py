"""Bounds that keep the analysis linear in the input, whatever the input (#12).

Two guards, both invisible on ordinary prose:

- :class:`BoundedTokenizer` wraps spaCy's tokenizer. spaCy splits on whitespace first and then
  strips prefixes and suffixes from each whitespace-free run with regular expressions, which costs
  more than quadratic time in the run's length (a run of 10 000 ")" takes seconds). Runs longer
  than ``max_run`` characters are cut into pieces of ``max_run`` characters, one token each; and
  text that would give more than two tokens per five characters (punctuation, quote marks, line
  breaks, no prose) is cut at whitespace only into tokens of four characters or more, so the later
  stages' cost per character is no higher than on prose.
  The Doc is built from words and spaces, so ``doc.text`` is the input and every offset stays exact.
- The ``sourcewise_sentence_cap`` component runs before the parser and starts a new sentence where
  ``max_tokens`` tokens pass without anything that looks like a sentence end (ordinary prose never
  gets there, so the parser's own choices are unchanged). The per-sentence loops of the later
  components rescan their sentence per cue or verb; with sentences bounded, their total cost is
  linear in the text.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

MAX_RUN_CHARS = 100
MAX_SENTENCE_TOKENS = 150
MAX_TOKENS_PER_CHAR = 0.4  # news has about 0.2; more is not prose
MIN_FALLBACK_TOKEN_CHARS = 4
DENSITY_SLACK_TOKENS = 250  # a short text costs little however dense: it is tokenised as ever
MAX_LEMMA_CACHE = 50_000
SENTENCE_END = frozenset({".", "!", "?", "…", "...", "?!", "!!"})
HARD_CAP_FACTOR = 3
OPENING_QUOTES = frozenset("\"“‘'«(")
CLOSING_QUOTES = frozenset({'"', "”", "’", "'", "»", ")", "''"})


class BoundedTokenizer:
    """spaCy's tokenizer, given whitespace-free runs of at most ``max_run`` characters."""

    def __init__(self, inner: Callable[[str], Doc], max_run: int = MAX_RUN_CHARS) -> None:
        self.inner = inner
        self.max_run = max_run
        self._long_run = re.compile(rf"\S{{{max_run + 1},}}")
        self._piece = re.compile(rf"(\S{{1,{max_run}}})(\s*)|(\s+)")

    def __call__(self, text: str) -> Doc:
        check_deadline()
        doc = self.inner(text) if self._long_run.search(text) is None else self._long_runs_cut(text)
        if len(doc) > MAX_TOKENS_PER_CHAR * len(text) + DENSITY_SLACK_TOKENS:
            return self._by_whitespace(text)
        return doc

    def _long_runs_cut(self, text: str) -> Doc:
        """The inner tokenizer's tokens, except that runs over ``max_run`` characters become ``max_run``-character tokens."""
        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for match in self._long_run.finditer(text):
            self._add_tokens(text[position : match.start()], words, spaces)
            run = match.group()
            for start in range(0, len(run), self.max_run):
                words.append(run[start : start + self.max_run])
                spaces.append(False)
            position = match.end()
            if text.startswith(" ", position):  # one plain space after a token is that token's whitespace
                spaces[-1] = True
                position += 1
        self._add_tokens(text[position:], words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    def _add_tokens(self, segment: str, words: list[str], spaces: list[bool]) -> None:
        if segment:
            for token in self.inner(segment):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))

    def _by_whitespace(self, text: str) -> Doc:
        """Text no prose looks like (")) ))", '"a" "a"', "x\\n" repeated): tokens cut at whitespace only, each
        at least ``MIN_FALLBACK_TOKEN_CHARS`` long (short pieces are joined with the whitespace between them)
        and at most ``max_run`` characters plus whitespace, so there are about as many tokens per character
        as in prose."""
        words: list[str] = []
        spaces: list[bool] = []
        pending = ""
        for word, gap, blank in self._piece.findall(text):
            pending += word + gap + blank
            if len(pending) >= MIN_FALLBACK_TOKEN_CHARS or len(word) == self.max_run:
                self._emit(pending, words, spaces)
                pending = ""
        if pending:
            self._emit(pending, words, spaces)
        return Doc(self.vocab, words=words, spaces=spaces)

    @staticmethod
    def _emit(piece: str, words: list[str], spaces: list[bool]) -> None:
        """One token; a single plain space at its end is its whitespace, as spaCy has it."""
        if piece.endswith(" ") and len(piece) > 1 and not piece[-2].isspace():
            words.append(piece[:-1])
            spaces.append(True)
        else:
            words.append(piece)
            spaces.append(False)

    def __getattr__(self, name: str) -> Any:  # vocab, explain, rules, to_disk … (and memory_zone, should spaCy add one) of the wrapped tokenizer
        return getattr(self.inner, name)


def sentence_starts(doc: Doc, max_tokens: int = MAX_SENTENCE_TOKENS) -> list[int]:
    """Token indices to mark as sentence starts, so that no sentence the parser makes is long.

    A start is forced where ``max_tokens`` tokens pass without a likely sentence end (see
    :func:`_likely_start`), and where ``HARD_CAP_FACTOR * max_tokens`` pass without a start at all
    (the parser may ignore a likely end): then at the last likely start in the window, which is
    where the parser splits anyway. Starts already set on the Doc (by an earlier component) count.
    """
    forced: list[int] = []
    window_start = quiet_start = 0
    likely = -1
    for i in range(1, len(doc)):
        if doc[i].is_sent_start:
            window_start = quiet_start = i
            likely = -1
        elif _likely_start(doc, i):
            quiet_start = likely = i
        if i - quiet_start >= max_tokens:
            forced.append(i)
            window_start = quiet_start = i
            likely = -1
        elif i - window_start >= HARD_CAP_FACTOR * max_tokens and likely > window_start:
            forced.append(likely)
            window_start = likely
            likely = -1
    return forced


def _likely_start(doc: Doc, i: int) -> bool:
    """Token ``i`` follows sentence-final punctuation (and any closing quotes) and begins like a sentence."""
    first = doc[i].text[0]
    if not (first.isupper() or first.isdigit() or first in OPENING_QUOTES):
        return False
    j = i - 1
    if not (doc[j].whitespace_ or doc[j].is_space):
        return doc[j].text in SENTENCE_END and doc[j].text != "..."  # "U.S.A" or '"It': not a start
    for _ in range(3):  # a closing quote or bracket, a line break: a few tokens back at most
        if j > 0 and (doc[j].text in CLOSING_QUOTES and doc[j].whitespace_ or doc[j].is_space):
            j -= 1
    return doc[j].text in SENTENCE_END


class SentenceCap:
    """Pipeline component: bound every sentence to ``max_tokens`` tokens before the parser runs."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def __call__(self, doc: Doc) -> Doc:
        check_deadline()
        if len(doc) > self.max_tokens:
            for i in sentence_starts(doc, self.max_tokens):
                doc[i].is_sent_start = True
        return doc


@Language.factory("sourcewise_sentence_cap", default_config={"max_tokens": MAX_SENTENCE_TOKENS})
def make_sentence_cap(nlp: Language, name: str, max_tokens: int) -> SentenceCap:
    """spaCy factory for :class:`SentenceCap`."""
    return SentenceCap(max_tokens)


class LemmaCacheBound:
    """Pipeline component after the lemmatizer: empty its cache when it holds ``max_entries`` entries.

    spaCy's rule lemmatizer caches the lemmas of every (word, tag) it has seen, a dict that grows with
    each new word a worker is sent; a memory zone does not touch it.
    """

    def __init__(self, nlp: Language, max_entries: int) -> None:
        self.nlp = nlp
        self.max_entries = max_entries

    def __call__(self, doc: Doc) -> Doc:
        for _, pipe in self.nlp.pipeline:
            cache = getattr(pipe, "cache", None)
            if isinstance(pipe, Lemmatizer) and isinstance(cache, dict) and len(cache) > self.max_entries:
                cache.clear()
        return doc


@Language.factory("sourcewise_lemma_cache_bound", default_config={"max_entries": MAX_LEMMA_CACHE})
def make_lemma_cache_bound(nlp: Language, name: str, max_entries: int) -> LemmaCacheBound:
    """spaCy factory for :class:`LemmaCacheBound`."""
    return LemmaCacheBound(nlp, max_entries)


def add_limits(nlp: Language, max_run: int = MAX_RUN_CHARS, max_tokens: int = MAX_SENTENCE_TOKENS) -> Language:
    """Install the bounded tokenizer, the sentence cap (before the parser, or first when there is none)
    and a deadline check before each later stage (call it once the pipeline is complete)."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer, max_run)
    if "sourcewise_sentence_cap" not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("sourcewise_sentence_cap", config={"max_tokens": max_tokens}, **where)
    if "lemmatizer" in nlp.pipe_names and "sourcewise_lemma_cache_bound" not in nlp.pipe_names:
        nlp.add_pipe("sourcewise_lemma_cache_bound", after="lemmatizer")
    stages = nlp.pipe_names[nlp.pipe_names.index("sourcewise_sentence_cap") + 2 :]
    for stage in stages:
        if not stage.startswith(("sourcewise_deadline", "sourcewise_lemma")):
            nlp.add_pipe("sourcewise_deadline", name=f"sourcewise_deadline_{stage}", before=stage)
    return nlp

class AnalysisTimeout(Exception):
    """The analysis ran past its deadline (see :func:`analysis_deadline`)."""


_deadline = threading.local()


@contextmanager
def analysis_deadline(seconds: float | None) -> Iterator[None]:
    """Within the block, the engine gives up with :class:`AnalysisTimeout` once ``seconds`` have passed.

    The check is cooperative (gunicorn's threaded workers cannot be interrupted by a signal): the
    tokenizer, the sentence cap and :func:`check_deadline` calls between pipeline stages look at it.
    """
    previous = getattr(_deadline, "at", None)
    _deadline.at = None if seconds is None else time.monotonic() + seconds
    try:
        yield
    finally:
        _deadline.at = previous


def check_deadline() -> None:
    """Raise :class:`AnalysisTimeout` when this thread's analysis deadline has passed."""
    at = getattr(_deadline, "at", None)
    if at is not None and time.monotonic() > at:
        raise AnalysisTimeout("The analysis took longer than its deadline.")


class DeadlineCheck:
    """Pipeline component that only checks the deadline, placed between the heavy stages."""

    def __call__(self, doc: Doc) -> Doc:
        check_deadline()
        return doc


@Language.factory("sourcewise_deadline")
def make_deadline_check(nlp: Language, name: str) -> DeadlineCheck:
    """spaCy factory for :class:`DeadlineCheck`."""
    return DeadlineCheck()
