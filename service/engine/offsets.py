"""Offsets in the unit a caller asks for: Unicode code points or UTF-16 code units."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable

UNITS = ("codepoint", "utf16")


def offset_converter(text: str, unit: str) -> Callable[[int], int]:
    """A function mapping a code-point offset in ``text`` to an offset in ``unit``."""
    if unit not in UNITS:
        raise ValueError(f"offsets must be one of {UNITS}, got {unit!r}")
    if unit == "codepoint":
        return lambda offset: offset
    astral = [i for i, char in enumerate(text) if ord(char) > 0xFFFF]
    if not astral:
        return lambda offset: offset
    return lambda offset: offset + bisect_left(astral, offset)
