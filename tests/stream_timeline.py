"""When the extension's marks appear on a page (#16): a page-world observer installed before the page's own scripts.

``TIMELINE_INIT_JS`` records each batch of ``sourcewise-mark`` elements added (``performance.now()``: milliseconds since
navigation started, and how many) and when ``data-sourcewise-state`` became ``done``; ``TIMELINE_JS`` reads it back.
A streamed answer is marked chunk by chunk, so it shows several batches, the first well before ``done``; an answer
marked all at once shows one batch at ``done``.
"""

from __future__ import annotations

TIMELINE_INIT_JS = """(() => {
  const timeline = { batches: [], done: null };
  Object.defineProperty(window, '__sourcewiseTimeline', { value: timeline });
  new MutationObserver((mutations) => {
    let added = 0;
    for (const mutation of mutations) for (const node of mutation.addedNodes) if (node.nodeName === 'SOURCEWISE-MARK') added++;
    if (added) timeline.batches.push([performance.now(), added]);
    const root = document.documentElement;
    if (timeline.done === null && root && root.getAttribute('data-sourcewise-state') === 'done') timeline.done = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-sourcewise-state'] });
})();"""

TIMELINE_JS = "() => ({ ...window.__sourcewiseTimeline, marks: document.querySelectorAll('sourcewise-mark').length })"


def first_mark_ms(timeline: dict) -> float | None:
    """Milliseconds from the start of navigation to the first mark."""
    return timeline["batches"][0][0] if timeline["batches"] else None


def streamed(timeline: dict) -> bool:
    """Marked from the stream: more than one batch of marks, the first before the answer was complete."""
    batches, done = timeline["batches"], timeline["done"]
    return len(batches) >= 2 and done is not None and batches[0][0] < done
