"""Article detection cost in Chromium on the six real pages (#10): Readability on a clone of the page
plus the map back to the live text nodes, as the content script runs it.

    python -m bench.article_detection [--runs 7] [--write]

Prints a table (median and worst of ``--runs`` calls per page); ``--write`` also puts it in
docs/benchmarks.md. Pages are served offline; every request not to 127.0.0.1 is blocked.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.chromium_extension import EXTENSION, only_local
from tests.real_pages import REAL_PAGES, page_url, serve_pages

from .report import write_section

SCRIPTS = ["src/vendor/Readability.js", "src/vendor/Readability-readerable.js", "src/article.js"]

TIME_JS = """runs => {
  const times = [];
  let article = null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    article = Sourcewise.collectArticle(document);
    times.push(performance.now() - t0);
  }
  return { times, source: article && article.source, chars: article ? article.text.length : 0,
           segments: article ? article.segments.length : 0, elements: document.getElementsByTagName('*').length };
}"""


def measure(runs: int) -> str:
    rows = ["| page | elements | source | article chars | text nodes mapped | median ms | worst ms |", "|---|---|---|---|---|---|---|"]
    with serve_pages() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.route("**/*", only_local)
        for name in REAL_PAGES:
            page = context.new_page()
            page.goto(page_url(base, name), wait_until="load")
            for script in SCRIPTS:
                page.add_script_tag(content=(EXTENSION / script).read_text(encoding="utf-8"))
            found = page.evaluate(TIME_JS, runs)
            rows.append(f"| {name} | {found['elements']} | {found['source']} | {found['chars']} | {found['segments']} | "
                        f"{statistics.median(found['times']):.1f} | {max(found['times']):.1f} |")
            page.close()
        browser.close()
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--write", action="store_true", help="also write the table into docs/benchmarks.md")
    args = parser.parse_args()
    table = measure(args.runs)
    print(table)
    if args.write:
        write_section("article", "Article detection in the extension (Chromium)",
                      f"Readability on a clone of the page plus the map back to its text nodes; {args.runs} calls per page.\n\n{table}")


if __name__ == "__main__":
    main()
