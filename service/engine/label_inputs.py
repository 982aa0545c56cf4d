"""The learned labeller's input: a sentence and the end of what comes before it, as word-piece ids.

One function for training and serving, so the model sees at run time exactly what it saw in training.
The sentence comes first (its words never truncated below ``SENTENCE_TOKENS``); the context keeps its
last ``CONTEXT_TOKENS`` word pieces, the ones nearest the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from tokenizers import Tokenizer

SENTENCE_TOKENS = 64
CONTEXT_TOKENS = 32


def load_tokenizer(path: str) -> Tokenizer:
    """A word-piece tokenizer from ``tokenizer.json`` with its own padding and truncation switched off."""
    tokenizer = Tokenizer.from_file(path)
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def encode_pairs(tokenizer: Tokenizer, sentences: Sequence[str], contexts: Sequence[str]) -> list[tuple[list[int], list[int]]]:
    """``[CLS] sentence [SEP] context-tail [SEP]`` ids and segment ids for each pair."""
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    texts = list(sentences) + [c for c in contexts]
    encoded = tokenizer.encode_batch(texts, add_special_tokens=False)
    pieces = [e.ids for e in encoded]
    pairs = []
    for sentence, context in zip(pieces[: len(sentences)], pieces[len(sentences) :]):
        first = [cls, *sentence[:SENTENCE_TOKENS], sep]
        second = [*context[-CONTEXT_TOKENS:], sep] if context else []
        pairs.append((first + second, [0] * len(first) + [1] * len(second)))
    return pairs


def padded_batch(pairs: Sequence[tuple[list[int], list[int]]]) -> dict[str, np.ndarray]:
    """Stack pairs into int64 arrays padded to the longest (``input_ids``, ``attention_mask``, ``token_type_ids``)."""
    width = max(len(ids) for ids, _ in pairs)
    ids = np.zeros((len(pairs), width), dtype=np.int64)
    types = np.zeros_like(ids)
    mask = np.zeros_like(ids)
    for row, (piece_ids, segment_ids) in enumerate(pairs):
        ids[row, : len(piece_ids)] = piece_ids
        types[row, : len(segment_ids)] = segment_ids
        mask[row, : len(piece_ids)] = 1
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
