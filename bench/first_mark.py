"""First mark after navigation on the six saved pages (#16), in Chromium and Firefox, the service uncached.

Run ``python -m bench.first_mark [--rounds 3] [--browsers chromium firefox]``. Each round starts gunicorn (one
worker, as the Procfile runs it) with an empty cache, serves the pages of ``tests/pages`` on 127.0.0.1 and visits
each in automatic mode (after one warm-up request of another text, so the worker's label encoder is made);
a page-world observer (``tests/stream_timeline.py``) notes when the first mark appears and
when the whole answer is marked (``data-sourcewise-state=done``: what a reader waited for before #16), both in ms
from the start of navigation. Prints a Markdown table per browser and the medians against the 0.5 s target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from tests.real_pages import REAL_PAGES, page_url, serve_pages
from tests.service_process import gunicorn, post
from tests.stream_timeline import TIMELINE_INIT_JS, TIMELINE_JS, first_mark_ms

TARGET_MS = 500


def chromium_round(service: str, pages: str) -> dict[str, dict]:
    from tests.chromium_extension import configure, saved_page_context

    found = {}
    with tempfile.TemporaryDirectory() as profile, saved_page_context(Path(profile)) as context:
        configure(context, serverUrl=service, autoAnalyze=True)
        context.add_init_script(TIMELINE_INIT_JS)
        for name in REAL_PAGES:
            page = context.new_page()
            page.goto(page_url(pages, name), wait_until="commit", timeout=60_000)
            page.wait_for_selector("html[data-sourcewise-state=done]", state="attached", timeout=120_000)
            found[name] = page.evaluate(TIMELINE_JS)
            page.close()
    return found


def firefox_round(service: str, pages: str) -> dict[str, dict]:
    from tests.firefox_support import build_firefox, firefox_policy, run_firefox

    addon_id = build_firefox()
    jobs = [{"url": page_url(pages, name), "script": TIMELINE_JS, "initScript": TIMELINE_INIT_JS, "timeoutMs": 120_000} for name in REAL_PAGES]
    with firefox_policy(addon_id, {"serverUrl": service, "autoAnalyze": True}):
        answer = run_firefox(addon_id, jobs, timeout=540)
    return {name: page["value"] for name, page in zip(REAL_PAGES, answer["pages"])}


ROUNDS = {"chromium": chromium_round, "firefox": firefox_round}


def table(browser: str, runs: list[dict[str, dict]]) -> tuple[list[str], float, float]:
    rows = [f"| {browser}: page | first mark (ms, per round) | whole answer marked (ms) | mark batches |", "|---|---|---|---|"]
    firsts, dones = [], []
    for name in REAL_PAGES:
        first = [first_mark_ms(run[name]) or float("nan") for run in runs]
        done = [run[name]["done"] or float("nan") for run in runs]
        firsts += first
        dones += done
        rows.append(f"| {name} | {' / '.join(f'{v:.0f}' for v in first)} | {' / '.join(f'{v:.0f}' for v in done)} | "
                    f"{' / '.join(str(len(run[name]['batches'])) for run in runs)} |")
    first, done = statistics.median(firsts), statistics.median(dones)
    rows.append(f"| **median** | **{first:.0f}** (target ≤ {TARGET_MS}) | {done:.0f} | |")
    return rows, first, done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--browsers", nargs="+", choices=sorted(ROUNDS), default=["chromium", "firefox"])
    parser.add_argument("--worker-max-rss-mb", help="WORKER_MAX_RSS_MB for the service (default: the service's own)")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    with serve_pages() as pages:
        for browser in args.browsers:
            runs = []
            for _ in range(args.rounds):
                with tempfile.TemporaryDirectory() as cache:
                    env = {"WEB_CONCURRENCY": "1", "CACHE_DIR": cache}
                    if args.worker_max_rss_mb is not None:
                        env["WORKER_MAX_RSS_MB"] = args.worker_max_rss_mb
                    runs.append(serve_round(browser, env, pages))
            rows, first, done = table(browser, runs)
            print("\n".join(rows) + "\n", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


def serve_round(browser: str, env: dict[str, str], pages: str) -> dict[str, dict]:
    """One round: a fresh gunicorn, one warm-up request, the six pages."""
    with gunicorn(env) as (service, _):
        post(service, {"text": "A warm-up: the worker makes its label encoder session. Prices may rise."}, timeout=120)
        return ROUNDS[browser](service, pages)


if __name__ == "__main__":
    raise SystemExit(main())
