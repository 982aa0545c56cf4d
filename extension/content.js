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

  /** Change our own marks without the page observer mistaking it for new article text. */
  function editMarks(change) {
    change();
    if (observer) observer.takeRecords(); // drop the records of our own splits and wraps
  }

  function clearMarks() {
    editMarks(() => {
      if (handle) handle.remove();
      handle = null;
    });
  }

  function render(result, segments) {
    editMarks(() => {
      if (handle) handle.remove();
      handle = SW.highlight(segments, result, { labels: settings.labels });
    });
  }

  async function analyse(reason) {
    if (busy) return;
    busy = true;
    try {
      clearMarks();
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
    clearMarks();
    lastResult = null;
    document.documentElement.removeAttribute("data-sourcewise-state");
  }

  /** Re-analyse when the article's text changes and then settles (single-page apps, infinite scroll). */
  function watch() {
    if (observer || !settings || !settings.autoAnalyze) return;
    observer = new MutationObserver((mutations) => {
      const element = (node) => (node.nodeType === 1 ? node : node.parentElement);
      const inTooltip = mutations.every((m) => element(m.target) && element(m.target).closest("sourcewise-tooltip"));
      if (inTooltip || busy) return;
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
    if (!SW.SETTINGS_AREAS.includes(area)) return;
    settings = await SW.loadSettings(chrome.storage.sync);
    if (changes.labels && lastResult) {
      clearMarks(); // restore the text nodes first, so the node map is fresh
      render(lastResult, SW.collectText(SW.findArticleRoot(document)).segments);
    }
    if (changes.autoAnalyze && settings.autoAnalyze && !lastResult) analyse("auto");
  });

  SW.loadSettings(chrome.storage.sync).then((loaded) => {
    settings = loaded;
    if (settings.autoAnalyze) analyse("auto");
  });
})();
