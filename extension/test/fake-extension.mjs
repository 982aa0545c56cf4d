// Fake browser extension surroundings for the unit tests: the content script in a jsdom page with a
// fake `chrome` and hand-driven timers, and the background worker in a vm context with a fake
// `chrome`, fetch and clock. The code under test is the real extension code, loaded as a browser would.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { JSDOM } from "jsdom";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = (file) => readFileSync(join(root, file), "utf8");
export const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";
const DEFAULTS = { serverUrl: "http://127.0.0.1:8000", apiKey: "", autoAnalyze: false, labels: ["speculative", "vague_source", "unsourced", "sourced"] };

/** Let promises, microtasks and jsdom's mutation records run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A service-like result marking every block of the text as one unsourced sentence (UTF-16 offsets). */
export function blocksResult(text) {
  const sentences = [];
  let at = 0;
  for (const block of text.split("\n\n")) {
    if (block.trim()) sentences.push({ start: at, end: at + block.length, text: block, labels: ["unsourced"], explanation: "why", cues: [], source: null });
    at += block.length + 2;
  }
  return { offsets: "utf16", sentences };
}

/**
 * A page running the content script. ``analyze(text, message)`` plays the background's answer to
 * an analysis (default: success); ``policy()`` its answer on automatic mode (default: the setting).
 */
export function contentPage(html, { settings = {}, analyze, policy } = {}) {
  const dom = new JSDOM(`<!doctype html><html><body>${html}</body></html>`, { url: "http://127.0.0.1/article.html", runScripts: "outside-only", pretendToBeVisual: true });
  const { window } = dom;
  const timers = new Map();
  let nextTimer = 1;
  window.setTimeout = (fn, ms) => {
    timers.set(nextTimer, { fn, ms });
    return nextTimer++;
  };
  window.clearTimeout = (id) => timers.delete(id);
  const sync = { ...DEFAULTS, ...settings };
  const sent = [];
  const runtimeListeners = [];
  const storageListeners = [];
  const background = async (message) => {
    if (message.type === "sourcewise:policy") return policy ? policy() : { automatic: sync.autoAnalyze };
    if (message.type === "sourcewise:style") return { ok: true };
    if (message.type === "sourcewise:analyze") return analyze ? analyze(message.text, message) : { ok: true, result: blocksResult(message.text) };
    return null;
  };
  window.chrome = {
    runtime: {
      id: EXTENSION_ID,
      sendMessage: async (message) => {
        sent.push(message);
        return background(message);
      },
      onMessage: { addListener: (fn) => runtimeListeners.push(fn) },
    },
    storage: {
      sync: { get: async (keys) => Object.fromEntries(keys.filter((k) => k in sync).map((k) => [k, sync[k]])) },
      onChanged: { addListener: (fn) => storageListeners.push(fn) },
    },
  };
  const files = JSON.parse(source("manifest.json")).content_scripts[0].js; // the very files and order the browser loads
  for (const file of files) window.eval(source(file));
  return {
    window,
    document: window.document,
    SW: window.Sourcewise,
    sent,
    analyses: () => sent.filter((m) => m.type === "sourcewise:analyze"),
    pendingTimers: () => [...timers.values()],
    /** Fire every pending timer once (the settle delay, a retry), then let the work run. */
    async fireTimers() {
      const due = [...timers.entries()];
      timers.clear();
      for (const [, timer] of due) timer.fn();
      await settle();
    },
    async setSettings(values) {
      const changes = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { oldValue: sync[k], newValue: v }]));
      Object.assign(sync, values);
      for (const fn of storageListeners) fn(changes, "sync");
      await settle();
    },
    /** A message from the extension (background) to the content script; resolves with its reply. */
    message(message) {
      return new Promise((resolve) => {
        let answered = false;
        const reply = (value) => {
          answered = true;
          resolve(value);
        };
        const keepOpen = runtimeListeners.map((fn) => fn(message, { id: EXTENSION_ID }, reply)).some(Boolean);
        if (!keepOpen && !answered) resolve(undefined);
      });
    },
  };
}

/**
 * The background worker with a fake browser. ``server(url, init)`` answers fetches to the Sourcewise
 * server (a Response); ``tabs`` are the open tab ids; ``session`` may make storage.session fail.
 */
export function backgroundWorker({ server, tabs = [1, 2], settings = {}, sessionFails = false, granted = ["http://127.0.0.1/*", "http://localhost/*"] } = {}) {
  const listeners = {};
  const event = (name) => ({ addListener: (fn) => { listeners[name] = fn; } });
  const sync = { ...DEFAULTS, ...settings };
  const session = new Map();
  const clock = { now: Date.UTC(2026, 0, 1) };
  const FakeDate = class extends Date {
    static now() {
      return clock.now;
    }
  };
  const calls = { fetch: [], insertCSS: [], tabMessages: [], executeScript: [] };
  const failing = async () => {
    throw new Error("Session storage quota bytes exceeded.");
  };
  const chrome = {
    runtime: { id: EXTENSION_ID, getURL: (path) => `chrome-extension://${EXTENSION_ID}/${path}`, onMessage: event("message"), onInstalled: event("installed") },
    storage: {
      sync: { get: async (keys) => Object.fromEntries(keys.filter((k) => k in sync).map((k) => [k, sync[k]])) },
      session: sessionFails ? { get: failing, set: failing, remove: failing } : {
        get: async (key) => (session.has(key) ? { [key]: session.get(key) } : {}),
        set: async (values) => Object.entries(values).forEach(([k, v]) => session.set(k, v)),
        remove: async (key) => session.delete(key),
      },
      onChanged: event("storage"),
    },
    tabs: {
      get: async (id) => (tabs.includes(id) ? { id } : Promise.reject(new Error(`No tab with id: ${id}.`))),
      query: async () => tabs.map((id) => ({ id })),
      sendMessage: async (id, message) => {
        calls.tabMessages.push({ id, message });
        return { ok: true };
      },
      onRemoved: event("tabRemoved"),
    },
    permissions: { contains: async ({ origins }) => origins.every((o) => granted.includes(o)), onAdded: event("permAdded"), onRemoved: event("permRemoved") },
    contextMenus: { create: (item, done) => done && done(), onClicked: event("menuClicked") },
    scripting: {
      insertCSS: async (details) => calls.insertCSS.push(details),
      executeScript: async (details) => calls.executeScript.push(details),
      getRegisteredContentScripts: async () => [],
      registerContentScripts: async () => undefined,
      unregisterContentScripts: async () => undefined,
    },
  };
  const fetch = async (url, init) => {
    if (url.startsWith(`chrome-extension://${EXTENSION_ID}/`)) return new Response(source(url.split(`${EXTENSION_ID}/`)[1]));
    calls.fetch.push({ url, init });
    return server(url, init);
  };
  const context = vm.createContext({ chrome, fetch, Date: FakeDate, console: { warn() {}, log() {}, error() {} }, URL, Response, importScripts() {} });
  vm.runInContext(source("src/settings.js"), context);
  vm.runInContext(source("background.js"), context);
  const PAGE = "http://127.0.0.1:8080/article.html";
  return {
    calls,
    clock,
    session,
    senders: {
      content: (tabId = 1, url = PAGE) => ({ id: EXTENSION_ID, tab: { id: tabId, url }, frameId: 0, url }),
      popup: (query = "") => ({ id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/popup.html${query}` }),
      options: () => ({ id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/options.html` }),
    },
    /** Deliver a runtime message as the browser would; resolves with the reply (undefined if none). */
    send(message, sender) {
      return new Promise((resolve) => {
        let answered = false;
        const keepOpen = listeners.message(message, sender, (value) => {
          answered = true;
          resolve(value);
        });
        if (keepOpen !== true && !answered) resolve(undefined);
      });
    },
  };
}

export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}
