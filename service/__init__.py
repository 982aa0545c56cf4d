"""Sourcewise: marks speculation, vague sources and unsourced claims in news text."""

__version__ = "0.1.0"
