/*
 * Sourcewise settings: keys and defaults, the reader's own values in chrome.storage.sync and the
 * administrator's in chrome.storage.managed (Chromium policy with managed_schema.json, Firefox
 * policies.json "3rdparty" → "Extensions" → the add-on's id). Managed values win.
 */
(function (root) {
  "use strict";
  const LABELS = ["speculative", "vague_source", "unsourced", "sourced"];
  /** The API's sensitivity values; "" sends none, so the server's default applies. */
  const SENSITIVITIES = ["", "strict", "balanced", "sensitive"];
  const SENSITIVITY_NAMES = Object.freeze({
    "": "The server's default",
    strict: "Strict: fewer, surer marks",
    balanced: "Balanced",
    sensitive: "Sensitive: more marks",
  });
  const DEFAULT_SETTINGS = Object.freeze({
    serverUrl: "http://127.0.0.1:8000",
    apiKey: "",
    autoAnalyze: false,
    labels: LABELS,
    sensitivity: "",
  });
  /** Storage areas whose changes can change the settings (listeners check this). */
  const SETTINGS_AREAS = Object.freeze(["sync", "managed"]);

  function isHttpUrl(value) {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch (error) {
      return false;
    }
  }

  const VALID = {
    serverUrl: (value) => typeof value === "string" && isHttpUrl(value),
    apiKey: (value) => typeof value === "string",
    autoAnalyze: (value) => typeof value === "boolean",
    labels: (value) => Array.isArray(value) && value.every((label) => LABELS.includes(label)),
    sensitivity: (value) => typeof value === "string" && SENSITIVITIES.includes(value),
  };

  /** Only the known keys whose values have the right type; anything else is dropped. */
  function validSettings(values) {
    const valid = {};
    for (const [key, check] of Object.entries(VALID)) {
      if (values && Object.prototype.hasOwnProperty.call(values, key) && check(values[key])) {
        valid[key] = key === "labels" ? LABELS.filter((label) => values.labels.includes(label)) : values[key];
      }
    }
    return valid;
  }

  /** Defaults, then the reader's values, then the administrator's. */
  function mergeSettings(stored, managed) {
    return { ...DEFAULT_SETTINGS, ...validSettings(stored), ...validSettings(managed) };
  }

  function defaultManagedStorage() {
    const api = root.chrome && root.chrome.storage;
    return api ? api.managed : undefined;
  }

  /** The administrator's valid values; {} when there is no policy (Firefox throws then) or no managed area. */
  async function loadManaged(managedStorage = defaultManagedStorage()) {
    if (!managedStorage) return {};
    try {
      return validSettings(await managedStorage.get(Object.keys(DEFAULT_SETTINGS)));
    } catch (error) {
      return {};
    }
  }

  async function loadSettings(storage, managedStorage = defaultManagedStorage()) {
    const [stored, managed] = await Promise.all([storage.get(Object.keys(DEFAULT_SETTINGS)), loadManaged(managedStorage)]);
    return mergeSettings(stored, managed);
  }

  const api = { DEFAULT_SETTINGS, SETTINGS_AREAS, SENSITIVITIES, SENSITIVITY_NAMES, validSettings, mergeSettings, loadManaged, loadSettings };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
})(typeof globalThis !== "undefined" ? globalThis : this);
