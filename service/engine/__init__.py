"""Sourcewise's analysis engine: pure functions over text, no web framework."""

from .analysis import analyze, analyze_many, analyze_stream
from .pipeline import get_nlp, model_version

__all__ = ["analyze", "analyze_many", "analyze_stream", "get_nlp", "model_version"]
