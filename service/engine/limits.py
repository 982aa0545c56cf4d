"""Bounds that keep the analysis linear in the input, whatever the input (#12).

Two guards, both invisible on ordinary prose:

- :class:`BoundedTokenizer` wraps spaCy's tokenizer. spaCy splits on whitespace first and then
  strips prefixes and suffixes from each whitespace-free run with regular expressions, which costs
  more than quadratic time in the run's length (a run of 10 000 ")" takes seconds). Runs longer
  than ``max_run`` characters are cut into pieces of ``max_run`` characters, one token each; the
  Doc is built from words and spaces, so ``doc.text`` is the input and every offset stays exact.
- The ``sourcewise_sentence_cap`` component runs before the parser and starts a new sentence when
  one reaches ``max_tokens`` tokens, preferring the last token after sentence-final punctuation
  (or a line break) inside the window. The per-sentence loops of the later components rescan
  their sentence per cue or verb; with sentences bounded, their total cost is linear in the text.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Token

MAX_RUN_CHARS = 100
MAX_SENTENCE_TOKENS = 150
MAX_RUN_TOKENS = 16
SENTENCE_END = frozenset(".!?…")


class BoundedTokenizer:
    """spaCy's tokenizer, given whitespace-free runs of at most ``max_run`` characters."""

    def __init__(self, inner: Callable[[str], Doc], max_run: int = MAX_RUN_CHARS) -> None:
        self.inner = inner
        self.max_run = max_run
        self._long_run = re.compile(rf"\S{{{max_run + 1},}}")

    def __call__(self, text: str) -> Doc:
        check_deadline()
        if self._long_run.search(text) is None:
            doc = self.inner(text)
            if len(doc) * 2 <= len(text) or not self._crowded_run(doc):
                return doc
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
        return Doc(self.inner.vocab, words=words, spaces=spaces)

    def _add_tokens(self, segment: str, words: list[str], spaces: list[bool]) -> None:
        """The inner tokenizer's tokens for a segment, except that a run it cuts into more than
        ``MAX_RUN_TOKENS`` tokens (")))))", not prose) stays one token."""
        if not segment:
            return
        run: list[Token] = []
        for token in self.inner(segment):
            run.append(token)
            if token.whitespace_ or token.is_space or token.i == len(token.doc) - 1 or token.doc[token.i + 1].is_space:
                if len(run) > MAX_RUN_TOKENS:
                    words.append("".join(t.text for t in run))
                    spaces.append(bool(token.whitespace_))
                else:
                    words.extend(t.text for t in run)
                    spaces.extend(bool(t.whitespace_) for t in run)
                run = []

    @staticmethod
    def _crowded_run(doc: Doc) -> bool:
        """Whether some whitespace-free run was cut into more than ``MAX_RUN_TOKENS`` tokens."""
        length = 0
        for token in doc:
            length += 1
            if token.whitespace_ or token.is_space:
                if length > MAX_RUN_TOKENS:
                    return True
                length = 0
        return length > MAX_RUN_TOKENS

    def __getattr__(self, name: str) -> Any:  # vocab, explain, rules, to_disk … (and memory_zone, should spaCy add one) of the wrapped tokenizer
        return getattr(self.inner, name)


def sentence_starts(doc: Doc, max_tokens: int = MAX_SENTENCE_TOKENS) -> list[int]:
    """Token indices to mark as sentence starts so that no stretch between starts exceeds ``max_tokens``.

    Starts already set on the Doc (by an earlier component) count as starts. A forced start goes on the
    last token after sentence-final punctuation or a line break in the second half of the window, else
    on the token where the window is full.
    """
    forced = []
    start = 0
    candidate = -1
    previous = doc[0] if len(doc) else None
    for token in doc[1:]:
        i = token.i
        if token.is_sent_start:
            start, candidate = i, -1
        elif previous.text[-1] in SENTENCE_END or "\n" in previous.text:
            candidate = i
        if i - start >= max_tokens:
            cut = candidate if candidate > start + max_tokens // 2 else i
            forced.append(cut)
            start, candidate = cut, -1
        previous = token
    return forced


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


def add_limits(nlp: Language, max_run: int = MAX_RUN_CHARS, max_tokens: int = MAX_SENTENCE_TOKENS) -> Language:
    """Install the bounded tokenizer, the sentence cap (before the parser, or first when there is none)
    and a deadline check before each later stage (call it once the pipeline is complete)."""
    if not isinstance(nlp.tokenizer, BoundedTokenizer):
        nlp.tokenizer = BoundedTokenizer(nlp.tokenizer, max_run)
    if "sourcewise_sentence_cap" not in nlp.pipe_names:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("sourcewise_sentence_cap", config={"max_tokens": max_tokens}, **where)
    stages = nlp.pipe_names[nlp.pipe_names.index("sourcewise_sentence_cap") + 2 :]
    for stage in stages:
        if not stage.startswith("sourcewise_deadline"):
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
