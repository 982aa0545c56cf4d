"""Real Firefox (Debian's firefox-esr) with the extension's Firefox build, driven by extension/scripts/firefox-driver.mjs."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = ROOT / "extension"
FIREFOX_BUILD = EXTENSION / "dist" / "firefox"
DRIVER = EXTENSION / "scripts" / "firefox-driver.mjs"
FIREFOX = Path("/usr/bin/firefox-esr")
POLICIES = Path("/usr/lib/firefox-esr/distribution/policies.json")
EXTENSION_UUID = "5f0e3b6a-9d1c-4c47-8a51-2b7f6e0c9d13"  # fixed moz-extension:// host, so tests can frame the options page
LOCK = Path(tempfile.gettempdir()) / "sourcewise-firefox-policies.lock"


def missing_reason() -> str | None:
    """Why the Firefox tests cannot run here, or None."""
    if not FIREFOX.exists():
        return "firefox-esr is not installed (./scripts/test installs it)"
    if not (EXTENSION / "node_modules" / "puppeteer-core").exists():
        return "extension/node_modules lacks puppeteer-core (cd extension && npm ci)"
    if not os.access(POLICIES.parent if POLICIES.parent.exists() else POLICIES.parent.parent, os.W_OK):
        return f"cannot write {POLICIES} (administrator policies need root, as in CI)"
    return None


def build_firefox() -> str:
    """npm run build:firefox; returns the add-on id from the built manifest."""
    subprocess.run(["npm", "run", "--silent", "build:firefox"], cwd=EXTENSION, check=True, capture_output=True)
    manifest = json.loads((FIREFOX_BUILD / "manifest.json").read_text(encoding="utf-8"))
    return manifest["browser_specific_settings"]["gecko"]["id"]


@contextmanager
def firefox_policy(addon_id: str, settings: dict) -> Iterator[None]:
    """Write policies.json with the add-on's administrator settings ("3rdparty" → "Extensions"); restore it afterwards.

    Firefox reads policies at start-up; a lock keeps two test runs from swapping each other's policy.
    """
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        backup = POLICIES.read_bytes() if POLICIES.exists() else None
        POLICIES.parent.mkdir(parents=True, exist_ok=True)
        policies = {"policies": {"3rdparty": {"Extensions": {addon_id: settings}}}}
        POLICIES.write_text(json.dumps(policies, indent=2), encoding="utf-8")
        try:
            yield
        finally:
            if backup is None:
                POLICIES.unlink(missing_ok=True)
            else:
                POLICIES.write_bytes(backup)


def run_firefox(addon_id: str, pages: list[dict], *, reader_settings: dict | None = None, options: bool = False,
                options_screenshot: str | None = None, no_article: dict | None = None, timeout: float = 240) -> dict:
    """Launch firefox-esr, install the Firefox build, optionally save the reader's settings, visit the pages.

    ``no_article`` ({url, select, marks, menuSelect?, screenshot?, popupScreenshot?}) runs the no-article flow after
    the pages: the popup for that page's tab, "Analyse selected text" pressed with nothing selected, then after
    ``select``; with ``menuSelect``, the page reloaded and its selection analysed by the context-menu handler.
    """
    job = {"id": addon_id, "uuid": EXTENSION_UUID, "extension": str(FIREFOX_BUILD), "pages": pages,
           "readerSettings": reader_settings, "options": options, "optionsScreenshot": options_screenshot,
           "noArticle": no_article}
    with tempfile.TemporaryDirectory() as tmp:
        job_file = Path(tmp) / "job.json"
        job_file.write_text(json.dumps(job), encoding="utf-8")
        done = subprocess.run([shutil.which("node") or "node", str(DRIVER), str(job_file)], cwd=EXTENSION,
                              capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError(f"the Firefox driver failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
