/*
 * Sourcewise background service worker: the only place that talks to the server (so page CSPs
 * don't block it), sends text only to the configured server URL, and keeps each tab's result.
 */
if (!(globalThis.Sourcewise && globalThis.Sourcewise.loadSettings)) importScripts("src/settings.js"); // Firefox loads it via background.scripts

const SW = globalThis.Sourcewise;
const CONTENT_FILES = ["src/settings.js", "src/vendor/Readability.js", "src/vendor/Readability-readerable.js", "src/article.js", "src/renderer.js", "content.js"];
const AUTO_SCRIPT_ID = "sourcewise-auto";
const ERROR_MESSAGES = {
  401: "The server refused the request: set a valid API key in the options.",
  413: "This article is longer than the server accepts.",
  429: "The server is busy (rate limit); try again in a moment.",
};

async function analyse(text) {
  const settings = await SW.loadSettings(chrome.storage.sync);
  const headers = { "Content-Type": "application/json" };
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  let response;
  try {
    response = await fetch(`${settings.serverUrl.replace(/\/+$/, "")}/analyze`, {
      method: "POST",
      headers,
      body: JSON.stringify({ text, offsets: "utf16" }),
    });
  } catch (error) {
    return { ok: false, status: 0, message: `The Sourcewise server at ${settings.serverUrl} could not be reached.` };
  }
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  if (!response.ok) {
    const detail = body && body.error ? body.error.message : response.statusText;
    return { ok: false, status: response.status, message: ERROR_MESSAGES[response.status] || `The server answered ${response.status}: ${detail}` };
  }
  return { ok: true, result: body };
}

async function rememberTab(tabId, state) {
  await chrome.storage.session.set({ [`tab:${tabId}`]: state });
}

async function tabState(tabId) {
  const key = `tab:${tabId}`;
  return (await chrome.storage.session.get(key))[key] || null;
}

async function runInTab(tabId, type = "sourcewise:run") {
  try {
    return await chrome.tabs.sendMessage(tabId, { type });
  } catch (error) {
    // not injected yet (click mode on a page without the static content script): inject, then run
    await chrome.scripting.insertCSS({ target: { tabId }, files: ["src/marks.css"] });
    await chrome.scripting.executeScript({ target: { tabId }, files: CONTENT_FILES });
    return chrome.tabs.sendMessage(tabId, { type });
  }
}

const NO_ARTICLE = { ok: false, noArticle: true, message: "No article was found on this page. Select the text you want analysed, then choose \u201cAnalyse selected text\u201d here or in the right-click menu." };
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

/** In automatic mode with the optional all-sites grant, run the content script everywhere. */
async function syncAutoRegistration() {
  const settings = await SW.loadSettings(chrome.storage.sync);
  const granted = await chrome.permissions.contains({ origins: ["<all_urls>"] });
  const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [AUTO_SCRIPT_ID] });
  if (settings.autoAnalyze && granted && !existing.length) {
    await chrome.scripting.registerContentScripts([{
      id: AUTO_SCRIPT_ID, matches: ["<all_urls>"], excludeMatches: ["http://127.0.0.1/*", "http://localhost/*"],
      js: CONTENT_FILES, css: ["src/marks.css"], runAt: "document_idle",
    }]);
  } else if ((!settings.autoAnalyze || !granted) && existing.length) {
    await chrome.scripting.unregisterContentScripts({ ids: [AUTO_SCRIPT_ID] });
  }
}

chrome.runtime.onMessage.addListener((message, sender, reply) => {
  if (message.type === "sourcewise:analyze" && sender.tab) {
    analyse(message.text).then(async (answer) => {
      await rememberTab(sender.tab.id, answer.ok ? { ok: true, result: answer.result, url: sender.tab.url } : answer);
      reply(answer);
    });
    return true;
  }
  if (message.type === "sourcewise:no-article" && sender.tab) {
    rememberTab(sender.tab.id, NO_ARTICLE).then(() => reply({ ok: true }));
    return true;
  }
  if (message.type === "sourcewise:analyse-selection") {
    analyseSelectionInTab(message.tabId).then(reply);
    return true;
  }
  if (message.type === "sourcewise:state") {
    tabState(message.tabId).then(reply);
    return true;
  }
  if (message.type === "sourcewise:reanalyse") {
    runInTab(message.tabId).then(() => tabState(message.tabId)).then(reply, (error) => reply({ ok: false, status: 0, message: String(error.message || error) }));
    return true;
  }
  if (message.type === "sourcewise:remove") {
    chrome.tabs.sendMessage(message.tabId, { type: "sourcewise:remove" }).catch(() => null)
      .then(() => chrome.storage.session.remove(`tab:${message.tabId}`)).then(() => reply({ ok: true }));
    return true;
  }
  return false;
});

chrome.tabs.onRemoved.addListener((tabId) => chrome.storage.session.remove(`tab:${tabId}`));
chrome.storage.onChanged.addListener((changes, area) => {
  if (SW.SETTINGS_AREAS.includes(area) && changes.autoAnalyze) syncAutoRegistration();
});
chrome.permissions.onAdded.addListener(syncAutoRegistration);
chrome.permissions.onRemoved.addListener(syncAutoRegistration);
chrome.runtime.onInstalled.addListener(syncAutoRegistration);
chrome.runtime.onInstalled.addListener(() => {
  chrome.contextMenus.create({ id: SELECTION_MENU_ID, title: "Analyse selected text with Sourcewise", contexts: ["selection"] }, () => chrome.runtime.lastError);
});
chrome.contextMenus.onClicked.addListener((info, tab) => {
  if (info.menuItemId === SELECTION_MENU_ID && tab && tab.id >= 0) analyseSelectionInTab(tab.id);
});
