"""Chromium administrator policy for the unpacked extension: /etc/chromium/policies/managed/*.json "3rdparty"."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POLICY_DIR = Path("/etc/chromium/policies/managed")


def unpacked_extension_id(directory: Path) -> str:
    """Chromium's id for an unpacked extension without a "key": SHA-256 of its absolute path, first 32 hex digits as a–p."""
    digest = hashlib.sha256(str(directory.resolve()).encode("utf-8")).hexdigest()[:32]
    return "".join(chr(ord("a") + int(digit, 16)) for digit in digest)


def policy_missing_reason() -> str | None:
    parent = POLICY_DIR if POLICY_DIR.exists() else POLICY_DIR.parent.parent
    while not parent.exists():
        parent = parent.parent
    return None if os.access(parent, os.W_OK) else f"cannot write {POLICY_DIR} (administrator policies need root, as in CI)"


@contextmanager
def chromium_policy(extension_id: str) -> Iterator[callable]:
    """Yields set(settings) that writes the extension's managed settings; the file is removed afterwards.

    The policy names only this checkout's extension id, so Chromium runs of other checkouts are untouched.
    """
    POLICY_DIR.mkdir(parents=True, exist_ok=True)
    path = POLICY_DIR / f"sourcewise-test-{extension_id}.json"

    def set_policy(settings: dict) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"3rdparty": {"extensions": {extension_id: settings}}}), encoding="utf-8")
        temporary.replace(path)  # Chromium never reads a half-written file

    try:
        yield set_policy
    finally:
        path.unlink(missing_ok=True)
