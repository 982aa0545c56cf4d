/*
 * Sourcewise content script: collects the article's text, asks the background worker to analyse
 * it, renders the marks, and keeps them in step with settings and with pages that change.
 * Click mode sends nothing unless the reader asks; the page watcher runs only while the background
 * says automatic analysis is on for this page (setting + permission), and the same article text is
 * never sent twice on its own (a ticker elsewhere on the page re-sends nothing) (#12).
 * The article is what Readability finds (the heuristics are the fallback); on a page without one the
 * popup says so and the reader can have a selection analysed instead (#10).
 */
(function () {
  "use strict";
  if (globalThis.__sourcewiseContent) return; // injected twice (manifest + activeTab): keep one
  globalThis.__sourcewiseContent = true;

  const SW = globalThis.Sourcewise;
  const SETTLE_MS = 1200;
  const MAX_SETTLE_MS = 6000; // a page that never stops changing is still looked at this often
  const AUTOMATIC = new Set(["auto", "changed"]);
  const ARTICLE_LIKE = "article, main, [role=main], [itemprop=articleBody], p";
  let handle = null;
  let lastSentText = null; // the text of the last request, answered or failed
  let lastText = null; // the text the current marks were made for
  let lastResult = null;
  let lastSegments = [];
  let selectionShown = false; // the marks show an analysed selection, not the article
  let settings = null;
  let automatic = false; // the background's word: automatic mode and its permission for this page
  let paused = false; // the reader removed the marks: no automatic analysis until asked again
  let observer = null;
  let settleTimer = null;
  let pendingSince = 0;
  let articleRoot = null;
  let busy = false;
  let styled = null;
  let streaming = null; // the request whose sentences are being marked as they arrive (#16)

  /** Change our own marks without the page observer mistaking it for new article text. */
  function editMarks(change) {
    try {
      change();
    } finally {
      if (observer) observer.takeRecords(); // drop the records of our own splits and wraps
    }
  }

  function clearMarks() {
    editMarks(() => {
      const old = handle;
      handle = null;
      if (old) old.remove();
    });
  }

  function render(result, segments, text) {
    editMarks(() => {
      if (handle) handle.remove();
      handle = SW.highlight(segments, result, { labels: settings.labels, text, editMarks, onReport: report, pageUrl: pageUrl() });
    });
    lastText = text;
  }

  /** The page's address without its query and fragment: all of the page a report names besides its sentences. */
  function pageUrl() {
    return `${location.origin}${location.pathname}`;
  }

  /** The card's "Send report": the background posts it to the server's /feedback. */
  async function report(body) {
    const answer = await chrome.runtime.sendMessage({ type: "sourcewise:feedback", report: body }).catch(() => null);
    return answer || { ok: false, message: "The extension did not answer." };
  }

  /** What decides whether a text needs sending again: the text and the sensitivity it was analysed at. */
  function sendKey(text) {
    return `${(settings && settings.sensitivity) || ""}\u0000${text}`;
  }

  /** The background injects marks.css keyed on this session's token (once per page). */
  function ensureStyles() {
    if (!styled) {
      styled = chrome.runtime.sendMessage({ type: "sourcewise:style", token: SW.MARK_TOKEN })
        .catch(() => null)
        .then((answer) => {
          if (!answer || !answer.ok) styled = null; // try again with the next marks
          return answer;
        });
    }
    return styled;
  }

  /** The element holding every node of the collected text (where the page watcher looks for changes). */
  function commonRoot(segments) {
    if (!segments.length) return null;
    const last = segments[segments.length - 1].node;
    let element = segments[0].node.parentElement;
    while (element && !element.contains(last)) element = element.parentElement;
    return element;
  }

  /** The article's text and node map, or an empty text on a page without an article. */
  function collect() {
    const article = SW.collectArticle(document);
    articleRoot = article ? commonRoot(article.segments) : null;
    return article || { text: "", segments: [] };
  }

  /** Mark one streamed chunk's sentences as they arrive, for the request in flight only (#16). */
  function onSentences(message) {
    const current = streaming;
    if (!current || message.requestId !== current.id || !Array.isArray(message.sentences)) return;
    current.count += message.sentences.length;
    editMarks(() => {
      if (current.handle && current.handle === handle) {
        handle.add(message.sentences);
        return;
      }
      if (handle) handle.remove(); // the marks of the text analysed before: this answer replaces them
      handle = SW.highlight(current.segments, { sentences: message.sentences }, {
        labels: settings.labels, text: current.text, editMarks, onReport: report, pageUrl: pageUrl(),
      });
      current.handle = handle;
    });
    ensureStyles();
  }

  /** Send collected text (the article or the reader's selection) and mark it; the service's answer. */
  async function send(collected, reason) {
    const { text, segments } = collected;
    const previous = lastSentText;
    lastSentText = sendKey(text);
    const requestId = SW.MARK_TOKEN + String(Math.random()).slice(2);
    const stream = { id: requestId, segments, text, count: 0, handle: null };
    streaming = stream;
    let answer;
    try {
      answer = await chrome.runtime.sendMessage({ type: "sourcewise:analyze", text, reason, requestId });
    } finally {
      if (streaming === stream) streaming = null;
    }
    const streamed = stream.handle !== null && stream.handle === handle;
    if (!answer || !answer.ok) {
      if (streamed) clearMarks(); // a stream that failed part-way leaves no half-marked article
      failed(answer, previous);
      return answer || { ok: false };
    }
    if (paused) return { ok: false, removed: true }; // the reader removed the marks while the answer came in
    await ensureStyles();
    lastResult = answer.result;
    lastSegments = segments;
    if (!streamed || handle.count !== answer.result.sentences.length) render(answer.result, segments, text); // a cached or plain answer: all at once
    else lastText = text;
    document.documentElement.setAttribute("data-sourcewise-state", "done");
    return answer;
  }

  async function noArticle() {
    clearMarks();
    lastResult = null;
    lastText = null;
    const root = document.documentElement;
    if (root.getAttribute("data-sourcewise-state") !== "no-article") {
      root.setAttribute("data-sourcewise-state", "no-article");
      await chrome.runtime.sendMessage({ type: "sourcewise:no-article" }).catch(() => null); // the popup says so
    }
    return { ok: false, noArticle: true };
  }

  async function analyse(reason) {
    const isAutomatic = AUTOMATIC.has(reason);
    if (isAutomatic && (!automatic || paused || selectionShown)) return { ok: false, skipped: true };
    if (busy) {
      if (isAutomatic) scheduleCheck(SETTLE_MS); // look again once the running request is done
      return { ok: false, busy: true };
    }
    if (!isAutomatic) {
      paused = false;
      SW.resetDismissed(document); // the reader asked for a fresh analysis: dismissed marks come back
    }
    busy = true;
    try {
      const current = collect();
      if (!current.text.trim()) return noArticle();
      if (isAutomatic && sendKey(current.text) === lastSentText) {
        repairMarks(current.text);
        return { ok: false, unchanged: true };
      }
      const marked = handle !== null;
      clearMarks();
      selectionShown = false;
      return await send(marked ? collect() : current, reason); // our marks split text nodes: read the page again once they are gone
    } finally {
      busy = false;
      syncWatcher();
    }
  }

  /** Analyse only the text the reader selected (for pages where no article is found, or by choice). */
  async function analyseSelection() {
    const selected = SW.collectSelection(document.getSelection());
    if (!selected.text.trim()) return { ok: false, status: 0, message: "Select the text to analyse on the page first." };
    if (busy) return { ok: false, status: 0, message: "An analysis is still running; try again in a moment." };
    busy = true;
    paused = false;
    try {
      clearMarks();
      selectionShown = true;
      const answer = await send(selected, "selection");
      return answer && answer.ok ? { ok: true } : answer;
    } finally {
      busy = false;
    }
  }

  function failed(answer, previous) {
    lastResult = null;
    lastText = null;
    document.documentElement.setAttribute("data-sourcewise-state", "failed");
    if (!answer) return;
    if (answer.deferred) {
      lastSentText = previous; // not sent: it may go once the server's wait is over
      if (automatic) scheduleCheck(Math.max(0, answer.retryAt - Date.now()));
    }
    if (answer.stop) {
      automatic = false; // the background says automatic analysis is off here
      syncWatcher();
    }
  }

  /** Same text as analysed, but the page re-rendered a marked paragraph: mark it again, sending nothing. */
  function repairMarks(text) {
    if (!lastResult || text !== lastText || !handle || handle.marks.every((mark) => mark.isConnected)) return;
    clearMarks();
    render(lastResult, collect().segments, text);
  }

  function removeHighlights() {
    streaming = null; // sentences still arriving are not marked
    clearMarks();
    lastResult = null;
    lastText = null;
    selectionShown = false;
    paused = true;
    syncWatcher();
    document.documentElement.removeAttribute("data-sourcewise-state");
  }

  /** After the page settles (or a server's wait ends), analyse if the article's text changed. */
  function scheduleCheck(delay) {
    if (settleTimer !== null && Date.now() - pendingSince > MAX_SETTLE_MS) return; // keeps changing: let it fire
    if (settleTimer === null) pendingSince = Date.now();
    clearTimeout(settleTimer);
    settleTimer = setTimeout(() => {
      settleTimer = null;
      analyse("changed");
    }, delay);
  }

  /**
   * A change that may touch the article: inside its root, or new content that may hold an article
   * (around the root, or anywhere while the page has no article): a ticker or an ad never counts,
   * so a page without an article is not searched again on every tick.
   */
  function touchesArticle(mutation) {
    const target = mutation.target;
    if (articleRoot && articleRoot.isConnected) {
      if (articleRoot.contains(target)) return !(target.nodeType === 1 ? target : target.parentElement).closest(SW.TOOLTIP_TAG);
      if (target.nodeType !== 1 || !target.contains(articleRoot)) return false;
    }
    return [...mutation.addedNodes].some((node) => node.nodeType === 1 && (node.matches(ARTICLE_LIKE) || node.querySelector(ARTICLE_LIKE)));
  }

  function onMutations(mutations) {
    if (mutations.some(touchesArticle)) scheduleCheck(SETTLE_MS); // a ticker elsewhere changes nothing we send
  }

  /** Run the page watcher exactly while automatic analysis is allowed here and not paused. */
  function syncWatcher() {
    const wanted = automatic && !paused && settings !== null;
    if (wanted && !observer) {
      observer = new MutationObserver(onMutations);
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    } else if (!wanted && observer) {
      observer.disconnect();
      observer = null;
      clearTimeout(settleTimer);
      settleTimer = null;
    }
  }

  /** Ask the background whether automatic mode is on and permitted for this page. */
  async function refreshPolicy() {
    let policy = null;
    try {
      policy = await chrome.runtime.sendMessage({ type: "sourcewise:policy" });
    } catch (error) {
      policy = null;
    }
    const was = automatic;
    automatic = Boolean(policy && policy.automatic);
    syncWatcher();
    if (automatic && !was && !lastResult && !paused) analyse("auto");
  }

  chrome.runtime.onMessage.addListener((message, sender, reply) => {
    if (!message || sender.id !== chrome.runtime.id) return false;
    if (message.type === "sourcewise:run") {
      analyse("requested").then(() => reply({ ok: true }), () => reply({ ok: false }));
      return true;
    }
    if (message.type === "sourcewise:run-selection") {
      analyseSelection().then(reply, () => reply({ ok: false }));
      return true;
    }
    if (message.type === "sourcewise:sentences") onSentences(message);
    if (message.type === "sourcewise:remove") {
      removeHighlights();
      reply({ ok: true });
    }
    if (message.type === "sourcewise:list") reply({ ok: true, sentences: SW.sentenceList(document) });
    if (message.type === "sourcewise:goto") reply(SW.focusSentence(document, message.ref));
    if (message.type === "sourcewise:step") reply(SW.step(document, message.direction));
    if (message.type === "sourcewise:policy-changed") refreshPolicy();
    return false;
  });

  chrome.storage.onChanged.addListener(async (changes, area) => {
    if (!SW.SETTINGS_AREAS.includes(area)) return;
    settings = await SW.loadSettings(chrome.storage.sync);
    if (changes.labels && lastResult) {
      const shown = lastText;
      clearMarks(); // restore the text nodes first, so the node map is fresh
      if (selectionShown) render(lastResult, lastSegments, shown); // removal restored the very nodes the segments point at
      else {
        const { text, segments } = collect();
        if (text === shown) render(lastResult, segments, text);
      }
    }
    if (changes.sensitivity && lastResult && !paused && !selectionShown) analyse("requested"); // the reader changed it: new marks
    if (changes.autoAnalyze) {
      if (!settings.autoAnalyze) {
        automatic = false; // stop at once; the background confirms any switch on
        syncWatcher();
      } else refreshPolicy();
    }
  });

  SW.loadSettings(chrome.storage.sync).then((loaded) => {
    settings = loaded;
    return refreshPolicy();
  });
})();
