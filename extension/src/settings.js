/* Sourcewise settings: keys and defaults in chrome.storage.sync, shared by every extension page. */
(function (root) {
  "use strict";
  const DEFAULT_SETTINGS = Object.freeze({
    serverUrl: "http://127.0.0.1:8000",
    apiKey: "",
    autoAnalyze: false,
    labels: ["speculative", "vague_source", "unsourced", "sourced"],
  });

  async function loadSettings(storage) {
    const stored = await storage.get(Object.keys(DEFAULT_SETTINGS));
    return { ...DEFAULT_SETTINGS, ...stored };
  }

  const api = { DEFAULT_SETTINGS, loadSettings };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
})(typeof globalThis !== "undefined" ? globalThis : this);
