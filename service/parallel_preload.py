"""Imported once by the fork server of :mod:`service.parallel`: the pipeline loaded and its vocabulary warmed
(``pipeline.warm_vocab``), so every worker forked from it starts with both, shared copy-on-write.

Nothing here runs the label encoder: its ONNX session and the tokenizer's thread pool are made in each worker.
"""

from .engine import get_nlp
from .engine.pipeline import warm_vocab

get_nlp()
warm_vocab()
