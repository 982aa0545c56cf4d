/*
 * Sourcewise background service worker: the only place that talks to the server (so page CSPs
 * don't block it), sends text only to the configured server URL, and keeps each tab's result.
 * Messages are trusted by sender (content scripts may only analyse their own page; state, re-analyse
 * and remove only come from the popup), every message gets a reply, and a failing server is backed
 * off (exponential, capped, Retry-After honoured) (#12).
 */
if (!(globalThis.Sourcewise && globalThis.Sourcewise.loadSettings)) importScripts("src/settings.js"); // Firefox loads it via background.scripts

const SW = globalThis.Sourcewise;
const CONTENT_FILES = ["src/settings.js", "src/vendor/Readability.js", "src/vendor/Readability-readerable.js", "src/article.js", "src/renderer.js", "content.js"];
const AUTO_SCRIPT_ID = "sourcewise-auto";
const AUTOMATIC_REASONS = new Set(["auto", "changed"]);
const POPUP_PAGES = ["popup.html"];
const TOKEN_PATTERN = /^[0-9a-f]{32}$/;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_CAP_MS = 5 * 60_000;
const RETRY_AFTER_CAP_MS = 60 * 60_000;
const ERROR_MESSAGES = {
  401: "The server refused the request: set a valid API key in the options.",
  413: "This article is longer than the server accepts.",
  429: "The server is busy (rate limit); try again in a moment.",
};

/** Failures worth waiting after: the server is down, busy, overloaded or refuses the size. */
function backsOff(status) {
  return status === 0 || status === 413 || status === 429 || status >= 500;
}

/** A Retry-After header (seconds or an HTTP date) as milliseconds from now; 0 when absent or invalid. */
function retryAfterMs(value, now) {
  if (!value) return 0;
  const text = String(value).trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), RETRY_AFTER_CAP_MS) : 0;
}

/**
 * The wait after one more failure: automatic sends wait base·2^(failures-1) capped, or longer if
 * the server said so; the server's own Retry-After also holds back sends the reader asks for.
 */
function nextBackoff(state, retryAfter, now) {
  const failures = state.failures + 1;
  const exponential = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_CAP_MS);
  return { failures, until: now + Math.max(exponential, retryAfter), serverUntil: now + retryAfter };
}

const NO_BACKOFF = Object.freeze({ failures: 0, until: 0, serverUntil: 0 });
let backoff = NO_BACKOFF;
let backoffLoaded = false;
const memoryStates = new Map(); // each tab's last answer, also when storage.session refuses it

/** The wait survives the service worker being stopped (storage.session, best effort). */
async function loadBackoff() {
  if (backoffLoaded) return;
  backoffLoaded = true;
  try {
    const stored = (await chrome.storage.session.get("backoff")).backoff;
    if (stored && Number.isFinite(stored.until)) backoff = stored;
  } catch (error) {
    // memory only
  }
}

async function setBackoff(state) {
  backoff = state;
  backoffLoaded = true;
  try {
    await chrome.storage.session.set({ backoff: state });
  } catch (error) {
    // memory only
  }
}

const STREAM_TYPE = "application/x-ndjson";

/**
 * Read an NDJSON answer line by line as it arrives (lines may be split across network chunks), calling
 * ``onSentences`` for each chunk's sentences past the first ``skip`` (those a broken first attempt already
 * delivered). Resolves to the whole result, ``{ error }`` for a final error line, or ``{ broken: true }`` when
 * the stream ends before its last line (the instance died) (#16).
 */
async function readStream(response, skip, onSentences) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const sentences = [];
  let buffer = "";
  const take = (line) => {
    if (!line.trim()) return null;
    const part = JSON.parse(line);
    if (part.error) return { error: part.error };
    if (part.summary) return { result: { model: part.model, offsets: part.offsets, sensitivity: part.sensitivity, sentences, summary: part.summary } };
    const fresh = part.sentences.slice(Math.max(0, skip - sentences.length));
    sentences.push(...part.sentences);
    if (fresh.length) onSentences(fresh, sentences);
    return null;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const end = take(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (end) return end;
      }
      if (done) return take(buffer) || { broken: true, delivered: sentences.length };
    }
  } catch (error) {
    return { broken: true, delivered: sentences.length };
  }
}

async function analyse(text, automatic, onSentences = () => {}) {
  const settings = await SW.loadSettings(chrome.storage.sync);
  await loadBackoff();
  const now = Date.now();
  const waitUntil = automatic ? backoff.until : backoff.serverUntil;
  if (now < waitUntil) {
    const seconds = Math.ceil((waitUntil - now) / 1000);
    const message = automatic ? `The server failed; trying again in ${seconds} s if the article changes.` : `The server asked to wait; try again in ${seconds} s.`;
    return { ok: false, status: 0, deferred: true, retryAt: waitUntil, message };
  }
  const headers = { "Content-Type": "application/json", Accept: `${STREAM_TYPE}, application/json;q=0.5` };
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  let delivered = 0;
  for (let attempt = 0; ; attempt++) {
    let response;
    try {
      response = await fetch(`${settings.serverUrl.replace(/\/+$/, "")}/analyze`, {
        method: "POST",
        headers,
        body: JSON.stringify({ text, offsets: "utf16", ...(settings.sensitivity ? { sensitivity: settings.sensitivity } : {}) }),
      });
    } catch (error) {
      await setBackoff(nextBackoff(backoff, 0, Date.now()));
      return { ok: false, status: 0, message: `The Sourcewise server at ${settings.serverUrl} could not be reached.` };
    }
    const streamed = response.ok && (response.headers.get("Content-Type") || "").startsWith(STREAM_TYPE) && response.body;
    if (streamed) {
      const end = await readStream(response, delivered, onSentences);
      if (end.broken) {
        delivered = Math.max(delivered, end.delivered);
        if (attempt === 0) continue; // the stream broke before its last line (the instance died): once more
        await setBackoff(nextBackoff(backoff, 0, Date.now()));
        return { ok: false, status: 0, message: "The connection to the Sourcewise server broke during the analysis." };
      }
      if (end.error) {
        await setBackoff(nextBackoff(backoff, 0, Date.now()));
        return { ok: false, status: 503, message: `The server could not finish: ${end.error.message}` };
      }
      if (backoff.failures) await setBackoff(NO_BACKOFF);
      return { ok: true, result: end.result };
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok) {
      if (backsOff(response.status)) await setBackoff(nextBackoff(backoff, retryAfterMs(response.headers.get("Retry-After"), Date.now()), Date.now()));
      const detail = body && body.error ? body.error.message : response.statusText;
      return { ok: false, status: response.status, message: ERROR_MESSAGES[response.status] || `The server answered ${response.status}: ${detail}` };
    }
    if (backoff.failures) await setBackoff(NO_BACKOFF);
    return { ok: true, result: body };
  }
}

/** Forward a chunk's sentences to the asking content script, and let an open popup show the answer so far. */
function forwardSentences(sender, requestId, sentences, soFar) {
  const tabId = sender.tab.id;
  chrome.tabs.sendMessage(tabId, { type: "sourcewise:sentences", requestId, sentences }, { frameId: sender.frameId || 0 }).catch(() => null);
  const state = { ok: true, partial: true, result: { sentences: soFar.slice() }, url: sender.tab.url };
  memoryStates.set(tabId, state);
  chrome.runtime.sendMessage({ type: "sourcewise:progress", tabId, state }).catch(() => null); // no popup open: nobody listens
}

const FEEDBACK_FIELDS = { sentence: "string", context: "string", label: "string", verdict: "string" };
const FEEDBACK_MAX_CHARS = 20_000;

/** A "this is wrong" report from the page's card, exactly the POST /feedback body; null when malformed. */
function feedbackBody(report) {
  if (!report || typeof report !== "object") return null;
  for (const [key, type] of Object.entries(FEEDBACK_FIELDS)) if (typeof report[key] !== type) return null;
  if (!SW.DEFAULT_SETTINGS.labels.includes(report.label) || !["wrong", "missing"].includes(report.verdict)) return null;
  if (!Array.isArray(report.labels) || !report.labels.every((label) => SW.DEFAULT_SETTINGS.labels.includes(label))) return null;
  if (report.sentence.length + report.context.length > FEEDBACK_MAX_CHARS) return null;
  const url = typeof report.url === "string" && /^https?:/.test(report.url) ? report.url : null;
  return { sentence: report.sentence, context: report.context, labels: report.labels, label: report.label, verdict: report.verdict, url };
}

/** Send one report to the configured server's POST /feedback (only ever when the reader pressed Send). */
async function sendFeedback(report) {
  const body = feedbackBody(report);
  if (!body) return refusal("malformed report");
  const settings = await SW.loadSettings(chrome.storage.sync);
  const headers = { "Content-Type": "application/json" };
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  let response;
  try {
    response = await fetch(`${settings.serverUrl.replace(/\/+$/, "")}/feedback`, { method: "POST", headers, body: JSON.stringify(body) });
  } catch (error) {
    return refusal(`The Sourcewise server at ${settings.serverUrl} could not be reached.`);
  }
  let answer = null;
  try {
    answer = await response.json();
  } catch (error) {
    answer = null;
  }
  if (!response.ok) return { ok: false, status: response.status, message: ERROR_MESSAGES[response.status] || `The server answered ${response.status}.` };
  return { ok: true, id: answer && answer.id !== undefined ? answer.id : null };
}

/** Ask a tab's content script about its marks (list, go to one, step); null when it is not there. */
async function askTab(tabId, message) {
  try {
    return await chrome.tabs.sendMessage(tabId, message);
  } catch (error) {
    return null;
  }
}

/** Keep a tab's answer; a full or failing storage.session never loses the reply (memory keeps it). */
async function rememberTab(tabId, state) {
  memoryStates.set(tabId, state);
  try {
    await chrome.storage.session.set({ [`tab:${tabId}`]: state });
  } catch (error) {
    console.warn("Sourcewise: could not store a tab's result:", String(error && error.message ? error.message : error));
  }
}

async function tabState(tabId) {
  const key = `tab:${tabId}`;
  const memory = memoryStates.get(tabId);
  if (memory && memory.partial) return memory; // an answer still streaming in (#16)
  try {
    const stored = (await chrome.storage.session.get(key))[key];
    if (stored) return stored;
  } catch (error) {
    // fall back to memory below
  }
  return memoryStates.get(tabId) || null;
}

async function forgetTab(tabId) {
  memoryStates.delete(tabId);
  try {
    await chrome.storage.session.remove(`tab:${tabId}`);
  } catch (error) {
    // nothing stored to forget
  }
}

async function runInTab(tabId, type = "sourcewise:run") {
  try {
    return await chrome.tabs.sendMessage(tabId, { type });
  } catch (error) {
    // not injected yet (click mode on a page without the static content script): inject, then run
    await chrome.scripting.executeScript({ target: { tabId }, files: CONTENT_FILES });
    return chrome.tabs.sendMessage(tabId, { type });
  }
}

const NO_ARTICLE = Object.freeze({ ok: false, noArticle: true }); // the popup says so and offers the selection (popup.html)
const SELECTION_MENU_ID = "sourcewise-selection";

/** Analyse the reader's selection in a tab; the tab's state on success, else why not. */
async function analyseSelectionInTab(tabId) {
  try {
    const answer = await runInTab(tabId, "sourcewise:run-selection");
    return answer && answer.ok ? tabState(tabId) : answer;
  } catch (error) {
    return { ok: false, status: 0, message: String(error.message || error) };
  }
}

/** True when automatic mode is on and the extension may run on the page at ``url`` on its own. */
async function automaticAllowed(url) {
  const settings = await SW.loadSettings(chrome.storage.sync);
  if (!settings.autoAnalyze) return false;
  try {
    const page = new URL(url);
    if (page.protocol !== "http:" && page.protocol !== "https:") return false;
    return await chrome.permissions.contains({ origins: [`${page.protocol}//${page.hostname}/*`] });
  } catch (error) {
    return false;
  }
}

/** In automatic mode with the optional all-sites grant, run the content script everywhere. */
async function syncAutoRegistration() {
  const settings = await SW.loadSettings(chrome.storage.sync);
  const granted = await chrome.permissions.contains({ origins: ["<all_urls>"] });
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [AUTO_SCRIPT_ID] });
  if (settings.autoAnalyze && granted && !existing.length) {
    await chrome.scripting.registerContentScripts([{
      id: AUTO_SCRIPT_ID, matches: ["<all_urls>"], excludeMatches: ["http://127.0.0.1/*", "http://localhost/*"],
      js: CONTENT_FILES, runAt: "document_idle",
    }]);
  } else if ((!settings.autoAnalyze || !granted) && existing.length) {
    await chrome.scripting.unregisterContentScripts({ ids: [AUTO_SCRIPT_ID] });
  }
}

/** Tell every page's content script to ask again whether automatic mode holds (a permission went or came). */
async function announcePolicyChange() {
  const tabs = await chrome.tabs.query({}).catch(() => []);
  await Promise.all(tabs.map((tab) => chrome.tabs.sendMessage(tab.id, { type: "sourcewise:policy-changed" }).catch(() => null)));
}

let marksTemplate = null;

/** marks.css keyed on the content script's token, added as a user stylesheet the page cannot read. */
async function styleTab(sender, token) {
  if (!TOKEN_PATTERN.test(String(token))) return { ok: false, message: "bad token" };
  if (!marksTemplate) marksTemplate = await (await fetch(chrome.runtime.getURL("src/marks.css"))).text();
  const css = marksTemplate.split("SOURCEWISE-TOKEN").join(token);
  await chrome.scripting.insertCSS({ target: { tabId: sender.tab.id, frameIds: [sender.frameId || 0] }, css });
  return { ok: true };
}

const extensionBase = () => chrome.runtime.getURL("");

/** A message from one of our content scripts, running in a page of a real tab. */
function fromContentScript(sender) {
  return sender.id === chrome.runtime.id && !!sender.tab && Number.isInteger(sender.tab.id) && sender.tab.id >= 0
    && typeof sender.url === "string" && !sender.url.startsWith(extensionBase());
}

/** A message from the popup page of this very extension (in the action popup or opened in a tab). */
function fromPopup(sender) {
  if (sender.id !== chrome.runtime.id || typeof sender.url !== "string") return false;
  const base = extensionBase();
  if (!sender.url.startsWith(base)) return false;
  const page = sender.url.slice(base.length).split(/[?#]/)[0];
  return POPUP_PAGES.includes(page);
}

/** The popup may name a tab (the active one, or ?tab=ID); it must be a real, open tab. */
async function requestedTab(tabId) {
  if (!Number.isInteger(tabId) || tabId < 0) throw new Error("no such tab");
  await chrome.tabs.get(tabId); // rejects for a tab that does not exist
  return tabId;
}

const refusal = (message) => ({ ok: false, status: 0, message });

const HANDLERS = {
  "sourcewise:analyze": {
    allowed: fromContentScript,
    async run(message, sender) {
      if (typeof message.text !== "string") return refusal("no text");
      const automatic = AUTOMATIC_REASONS.has(message.reason);
      if (automatic && !(await automaticAllowed(sender.url))) return { ...refusal("Automatic analysis is off for this page."), stop: true };
      const requestId = typeof message.requestId === "string" ? message.requestId : "";
      const answer = await analyse(message.text, automatic, (sentences, soFar) => forwardSentences(sender, requestId, sentences, soFar));
      if (!answer.deferred || !automatic) await rememberTab(sender.tab.id, answer.ok ? { ok: true, result: answer.result, url: sender.tab.url } : answer);
      return answer;
    },
  },
  "sourcewise:policy": {
    allowed: fromContentScript,
    run: async (message, sender) => ({ automatic: await automaticAllowed(sender.url) }),
  },
  "sourcewise:style": {
    allowed: fromContentScript,
    run: (message, sender) => styleTab(sender, message.token),
  },
  "sourcewise:no-article": {
    allowed: fromContentScript,
    run: async (message, sender) => {
      await rememberTab(sender.tab.id, NO_ARTICLE);
      return { ok: true };
    },
  },
  "sourcewise:feedback": {
    allowed: fromContentScript,
    run: (message) => sendFeedback(message.report),
  },
  "sourcewise:list": {
    allowed: fromPopup,
    run: async (message) => (await askTab(await requestedTab(message.tabId), { type: "sourcewise:list" })) || { ok: false, sentences: [] },
  },
  "sourcewise:goto": {
    allowed: fromPopup,
    run: async (message) => askTab(await requestedTab(message.tabId), { type: "sourcewise:goto", ref: String(message.ref) }),
  },
  "sourcewise:step": {
    allowed: fromPopup,
    run: async (message) => askTab(await requestedTab(message.tabId), { type: "sourcewise:step", direction: message.direction < 0 ? -1 : 1 }),
  },
  "sourcewise:analyse-selection": {
    allowed: fromPopup,
    run: async (message) => analyseSelectionInTab(await requestedTab(message.tabId)),
  },
  "sourcewise:state": {
    allowed: fromPopup,
    run: async (message) => tabState(await requestedTab(message.tabId)),
  },
  "sourcewise:reanalyse": {
    allowed: fromPopup,
    async run(message) {
      const tabId = await requestedTab(message.tabId);
      await runInTab(tabId);
      return tabState(tabId);
    },
  },
  "sourcewise:remove": {
    allowed: fromPopup,
    async run(message) {
      const tabId = await requestedTab(message.tabId);
      await chrome.tabs.sendMessage(tabId, { type: "sourcewise:remove" }).catch(() => null);
      await forgetTab(tabId);
      return { ok: true };
    },
  },
};

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  const handler = message && Object.hasOwn(HANDLERS, message.type) ? HANDLERS[message.type] : null;
  if (!handler) return false;
  const send = (answer) => {
    try {
      reply(answer);
    } catch (error) {
      // the asking page is gone
    }
  };
  if (!handler.allowed(sender)) {
    send(refusal("Not allowed from this sender."));
    return false;
  }
  Promise.resolve()
    .then(() => handler.run(message, sender))
    .then(send, (error) => send(refusal(String((error && error.message) || error))));
  return true;
});

chrome.tabs.onRemoved.addListener((tabId) => forgetTab(tabId));
/** Alt+Shift+N / Alt+Shift+P (manifest "commands"): the next / previous flagged sentence of the active tab. */
if (chrome.commands && chrome.commands.onCommand) {
  chrome.commands.onCommand.addListener(async (command) => {
    const direction = { "next-flagged": 1, "previous-flagged": -1 }[command];
    if (!direction) return;
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    if (tab && tab.id >= 0) askTab(tab.id, { type: "sourcewise:step", direction });
  });
}
chrome.storage.onChanged.addListener((changes, area) => {
  if (!SW.SETTINGS_AREAS.includes(area)) return; // the reader's settings or the administrator's policy
  if (changes.autoAnalyze) syncAutoRegistration();
  if (changes.serverUrl || changes.apiKey) setBackoff(NO_BACKOFF); // a new server or key deserves a fresh try
});
chrome.permissions.onAdded.addListener(() => syncAutoRegistration().then(announcePolicyChange));
chrome.permissions.onRemoved.addListener(() => syncAutoRegistration().then(announcePolicyChange));
chrome.runtime.onInstalled.addListener(syncAutoRegistration);
chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: SELECTION_MENU_ID, title: "Analyse selected text with Sourcewise", contexts: ["selection"] }, () => chrome.runtime.lastError);
});
chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === SELECTION_MENU_ID && tab && tab.id >= 0) analyseSelectionInTab(tab.id);
});
