/*
 * Sourcewise content script: collects the article's text, asks the background worker to analyse
 * it, renders the marks, and keeps them in step with settings and with pages that change.
 */
(function () {
  "use strict";
  if (globalThis.__sourcewiseContent) return; // injected twice (manifest + activeTab): keep one
  globalThis.__sourcewiseContent = true;

  const SW = globalThis.Sourcewise;
  const SETTLE_MS = 1200;
  let handle = null;
  let lastText = "";
  let lastResult = null;
  let settings = null;
  let observer = null;
  let settleTimer = null;
  let busy = false;

  function render(result, segments) {
    if (handle) handle.remove();
    handle = SW.highlight(segments, result, { labels: settings.labels });
  }

  async function analyse(reason) {
    if (busy) return;
    busy = true;
    try {
      if (handle) {
        handle.remove();
        handle = null;
      }
      const rootElement = SW.findArticleRoot(document);
      const { text, segments } = SW.collectText(rootElement);
      if (!text.trim()) return;
      const answer = await chrome.runtime.sendMessage({ type: "sourcewise:analyze", text, reason });
      if (!answer || !answer.ok) {
        lastResult = null;
        return;
      }
      lastText = text;
      lastResult = answer.result;
      render(answer.result, segments);
      document.documentElement.setAttribute("data-sourcewise-state", "done");
    } finally {
      busy = false;
      watch();
    }
  }

  function removeHighlights() {
    if (handle) handle.remove();
    handle = null;
    lastResult = null;
    document.documentElement.removeAttribute("data-sourcewise-state");
  }

  /** Re-analyse when the article's text changes and then settles (single-page apps, infinite scroll). */
  function watch() {
    if (observer || !settings || !settings.autoAnalyze) return;
    observer = new MutationObserver((mutations) => {
      const ours = mutations.every((m) =>
        [...m.addedNodes, ...m.removedNodes, m.target].every((n) => n.nodeName && n.nodeName.startsWith("SOURCEWISE-"))
        || (m.target.closest && m.target.closest("sourcewise-mark, sourcewise-tooltip")));
      if (ours || busy) return;
      clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        const { text } = SW.collectText(SW.findArticleRoot(document));
        if (text !== lastText) analyse("changed");
      }, SETTLE_MS);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }

  chrome.runtime.onMessage.addListener((message, _sender, reply) => {
    if (message.type === "sourcewise:run") {
      analyse("requested").then(() => reply({ ok: true }));
      return true;
    }
    if (message.type === "sourcewise:remove") {
      removeHighlights();
      reply({ ok: true });
    }
    return false;
  });

  chrome.storage.onChanged.addListener(async (changes, area) => {
    if (area !== "sync") return;
    settings = await SW.loadSettings(chrome.storage.sync);
    if (changes.labels && lastResult) {
      if (handle) handle.remove(); // restore the text nodes first, so the node map is fresh
      handle = null;
      render(lastResult, SW.collectText(SW.findArticleRoot(document)).segments);
    }
    if (changes.autoAnalyze && settings.autoAnalyze && !lastResult) analyse("auto");
  });

  SW.loadSettings(chrome.storage.sync).then((loaded) => {
    settings = loaded;
    if (settings.autoAnalyze) analyse("auto");
  });
})();
