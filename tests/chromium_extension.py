"""Debian's Chromium with the unpacked extension, for the real-browser tests: a fresh profile per
test, offline on demand, and the extension's service worker to configure it and find tabs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, Route, Worker, sync_playwright

from .browser_support import CHROMIUM, CHROMIUM_ARGS
from .real_pages import is_local

EXTENSION = Path(__file__).resolve().parent.parent / "extension"


def only_local(route: Route) -> None:
    """Let requests to 127.0.0.1 (and the browser's own schemes) through; abort every other."""
    if is_local(route.request.url):
        route.continue_()
    else:
        route.abort()


@contextmanager
def extension_context(profile: Path, *, offline: bool = False, args: tuple[str, ...] = (), **options: Any) -> Iterator[BrowserContext]:
    """Headless Chromium with ``extension/`` loaded in a fresh ``profile``; ``offline`` blocks every request not to 127.0.0.1."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True,
            args=[*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}", *args],
            **options,
        )
        if offline:
            context.route("**/*", only_local)
        try:
            yield context
        finally:
            context.close()


def service_worker(context: BrowserContext) -> Worker:
    """The extension's background service worker (waiting for it to start if need be)."""
    workers = context.service_workers or [context.wait_for_event("serviceworker", timeout=15_000)]
    return workers[0]


def configure(context: BrowserContext, **settings: Any) -> str:
    """Store the reader's settings in chrome.storage.sync; returns the extension id."""
    worker = service_worker(context)
    worker.evaluate("settings => chrome.storage.sync.set(settings)", settings)
    return worker.url.split("/")[2]


def tab_id_of(context: BrowserContext, page: Page) -> int:
    """The browser's tab id of ``page``, as the extension sees it."""
    return service_worker(context).evaluate("url => chrome.tabs.query({}).then(tabs => tabs.find(t => t.url === url).id)", page.url)


SAVED_PAGE_VIEWPORT = {"width": 1280, "height": 900}
# Saved pages name hosts all over the web: none may resolve, only the local servers answer.
NO_DNS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",)


@contextmanager
def saved_page_context(profile: Path) -> Iterator[BrowserContext]:
    """The extension in a 1280×900 window that reaches nothing but 127.0.0.1: for the saved real pages."""
    with extension_context(profile, offline=True, viewport=SAVED_PAGE_VIEWPORT, args=NO_DNS) as context:
        yield context
