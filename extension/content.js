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
  let lastSegments = [];
  let selectionShown = false; // marks show an analysed selection, not the article
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

  /** The article's text, or "" on a page without one. */
  function articleText() {
    const article = SW.collectArticle(document);
    return article ? article.text : "";
  }

  /** Send text for analysis and mark it; ``collected`` is the article or the reader's selection. */
  async function analyseText(collected, reason) {
    const { text, segments } = collected;
    const answer = await chrome.runtime.sendMessage({ type: "sourcewise:analyze", text, reason });
    if (!answer || !answer.ok) {
      lastResult = null;
      return answer;
    }
    lastText = text;
    lastResult = answer.result;
    lastSegments = segments;
    render(answer.result, segments);
    document.documentElement.setAttribute("data-sourcewise-state", "done");
    return answer;
  }

  async function analyse(reason) {
    if (busy) return;
    busy = true;
    try {
      clearMarks();
      selectionShown = false;
      const article = SW.collectArticle(document);
      if (!article || !article.text.trim()) {
        lastResult = null;
        lastText = "";
        document.documentElement.setAttribute("data-sourcewise-state", "no-article");
        await chrome.runtime.sendMessage({ type: "sourcewise:no-article" }); // the popup says so
        return;
      }
      await analyseText(article, reason);
    } finally {
      busy = false;
      watch();
    }
  }

  /** Analyse only the text the reader selected (for pages where no article is found, or by choice). */
  async function analyseSelection() {
    const selected = SW.collectSelection(document.getSelection());
    if (!selected.text.trim()) return { ok: false, status: 0, message: "Select the text to analyse on the page first." };
    if (busy) return { ok: false, status: 0, message: "An analysis is still running; try again in a moment." };
    busy = true;
    try {
      clearMarks();
      selectionShown = true;
      const answer = await analyseText(selected, "selection");
      return answer && answer.ok ? { ok: true } : answer;
    } finally {
      busy = false;
    }
  }

  function removeHighlights() {
    clearMarks();
    lastResult = null;
    selectionShown = false;
    document.documentElement.removeAttribute("data-sourcewise-state");
  }

  /** Re-analyse when the article's text changes and then settles (single-page apps, infinite scroll). */
  function watch() {
    if (observer || !settings || !settings.autoAnalyze) return;
    observer = new MutationObserver((mutations) => {
      const element = (node) => (node.nodeType === 1 ? node : node.parentElement);
      const inTooltip = mutations.every((m) => element(m.target) && element(m.target).closest("sourcewise-tooltip"));
      if (inTooltip || busy || selectionShown) return;
      clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        if (articleText() !== lastText) analyse("changed");
      }, SETTLE_MS);
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  }

  chrome.runtime.onMessage.addListener((message, _sender, reply) => {
    if (message.type === "sourcewise:run") {
      analyse("requested").then(() => reply({ ok: true }));
      return true;
    }
    if (message.type === "sourcewise:run-selection") {
      analyseSelection().then(reply);
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
      render(lastResult, lastSegments); // removal restored the very nodes the segments point at
    }
    if (changes.autoAnalyze && settings.autoAnalyze && !lastResult) analyse("auto");
  });

  SW.loadSettings(chrome.storage.sync).then((loaded) => {
    settings = loaded;
    if (settings.autoAnalyze) analyse("auto");
  });
})();
