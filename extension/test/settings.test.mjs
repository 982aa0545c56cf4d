// Administrator (managed) settings win over the reader's own (#10): settings.js and the options page, in jsdom.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";
import { fakeChrome, fakeStorageArea } from "./fake_chrome.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ALL = ["speculative", "vague_source", "unsourced", "sourced"];

function settingsApi(chrome) {
  const dom = new JSDOM("<!doctype html><html><body></body></html>", { runScripts: "outside-only" });
  if (chrome) dom.window.chrome = chrome;
  dom.window.eval(readFileSync(join(root, "src/settings.js"), "utf8"));
  return dom.window.Sourcewise;
}

test("#10 managed values win over the reader's, the reader's over the defaults", async () => {
  const { chrome } = fakeChrome({
    sync: { serverUrl: "http://reader.example:8000", apiKey: "reader-key", autoAnalyze: false, labels: ["speculative"] },
    managed: { serverUrl: "https://sourcewise.newsroom.example", autoAnalyze: true },
  });
  const SW = settingsApi(chrome);
  const settings = await SW.loadSettings(chrome.storage.sync);
  assert.equal(settings.serverUrl, "https://sourcewise.newsroom.example");
  assert.equal(settings.autoAnalyze, true);
  assert.equal(settings.apiKey, "reader-key");
  assert.deepEqual([...settings.labels], ["speculative"]);
  assert.deepEqual(Object.keys(await SW.loadManaged()).sort(), ["autoAnalyze", "serverUrl"]);
});

test("#10 no policy (Firefox throws 'Managed storage manifest not found') means the reader's settings", async () => {
  const { chrome } = fakeChrome({ sync: { apiKey: "reader-key" } });
  const SW = settingsApi(chrome);
  const settings = await SW.loadSettings(chrome.storage.sync);
  assert.equal(settings.apiKey, "reader-key");
  assert.equal(settings.serverUrl, "http://127.0.0.1:8000");
  assert.deepEqual(Object.keys(await SW.loadManaged()), []);
});

test("#10 without chrome.storage.managed at all (a page using settings.js) only defaults and the given storage count", async () => {
  const SW = settingsApi(null);
  const settings = await SW.loadSettings(fakeStorageArea({ autoAnalyze: true }));
  assert.equal(settings.autoAnalyze, true);
  assert.deepEqual([...settings.labels], ALL);
});

test("#10 policy values of the wrong type or unknown labels are ignored, not applied", () => {
  const SW = settingsApi(null);
  const merged = SW.mergeSettings(
    { serverUrl: "http://reader.example", labels: ["sourced"] },
    { serverUrl: "javascript:alert(1)", autoAnalyze: "yes", apiKey: 42, labels: ["sourced", "bogus"], extra: 1 },
  );
  assert.equal(merged.serverUrl, "http://reader.example");
  assert.equal(merged.autoAnalyze, false);
  assert.equal(merged.apiKey, "");
  assert.deepEqual([...merged.labels], ["sourced"]);
  assert.equal("extra" in merged, false);
  assert.deepEqual([...SW.mergeSettings({}, { labels: ["sourced", "speculative"] }).labels], ["speculative", "sourced"]);
  assert.deepEqual([...SW.mergeSettings({}, { labels: [] }).labels], [], "an administrator may hide every label");
});

/** The real options.html with its scripts, against a fake chrome. */
async function optionsPage(chrome) {
  const html = readFileSync(join(root, "options.html"), "utf8").replace(/<script src=[^>]*><\/script>/g, "");
  const dom = new JSDOM(html, { runScripts: "outside-only" });
  dom.window.chrome = chrome;
  for (const file of ["src/settings.js", "src/renderer.js", "options.js"]) dom.window.eval(readFileSync(join(root, file), "utf8"));
  const document = dom.window.document;
  await settle(() => document.getElementById("serverUrl").value !== "");
  return { window: dom.window, document };
}

async function settle(condition) {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), "the options page did not update");
}

const boxesOf = (document) => [...document.querySelectorAll("#labels input")];

test("#10 options page: administrator-set settings are shown, disabled and marked; the rest stay editable", async () => {
  const { chrome } = fakeChrome({
    sync: { serverUrl: "http://reader.example:8000", apiKey: "reader-key", labels: ALL },
    managed: { serverUrl: "https://sourcewise.newsroom.example", labels: ["sourced"] },
  });
  const { document } = await optionsPage(chrome);
  const serverUrl = document.getElementById("serverUrl");
  assert.equal(serverUrl.value, "https://sourcewise.newsroom.example");
  assert.equal(serverUrl.disabled, true);
  assert.match(serverUrl.closest("label").textContent, /set by your administrator/);
  assert.equal(document.getElementById("managed-note").hidden, false);
  assert.deepEqual(boxesOf(document).map((box) => [box.value, box.checked, box.disabled]),
    ALL.map((label) => [label, label === "sourced", true]));
  const apiKey = document.getElementById("apiKey");
  assert.equal(apiKey.value, "reader-key");
  assert.equal(apiKey.disabled, false);
  assert.doesNotMatch(apiKey.closest("label").textContent, /administrator/);
  assert.ok([...document.querySelectorAll("input[name=mode]")].every((mode) => !mode.disabled));
});

test("#10 options page: saving stores only the reader's own keys, never over a managed one", async () => {
  const { chrome, areas, permissionRequests } = fakeChrome({
    sync: { serverUrl: "http://reader.example:8000" },
    managed: { serverUrl: "https://sourcewise.newsroom.example", autoAnalyze: true },
  });
  const { window, document } = await optionsPage(chrome);
  document.getElementById("apiKey").value = " new-key ";
  boxesOf(document).find((box) => box.value === "unsourced").checked = false;
  document.getElementById("options").dispatchEvent(new window.Event("submit", { cancelable: true }));
  await settle(() => document.getElementById("saved").textContent === "Saved.");
  assert.deepEqual(areas.sync.data, {
    serverUrl: "http://reader.example:8000", apiKey: "new-key", labels: ["speculative", "vague_source", "sourced"], sensitivity: "",
  });
  // only the reader can grant the all-sites permission, also when the administrator set automatic mode (#10)
  assert.equal(JSON.stringify(permissionRequests), JSON.stringify([{ origins: ["<all_urls>"] }]), "automatic mode set by policy never asked for the all-sites permission");
});

test("#10 options page: with no policy nothing is disabled and the note stays hidden", async () => {
  const { chrome } = fakeChrome({ sync: { autoAnalyze: true } });
  const { document } = await optionsPage(chrome);
  assert.equal(document.getElementById("managed-note").hidden, true);
  assert.ok([...document.querySelectorAll("input")].every((input) => !input.disabled));
  assert.equal(document.querySelector("input[name=mode]:checked").value, "auto");
  assert.equal(document.querySelectorAll(".managed-badge").length, 0);
});

test("#10 options page: a policy arriving later is shown without a reload", async () => {
  const { chrome, change } = fakeChrome({ sync: { apiKey: "reader-key" } });
  const { document } = await optionsPage(chrome);
  assert.equal(document.getElementById("apiKey").disabled, false);
  await change("managed", { apiKey: "newsroom-key", autoAnalyze: true });
  await settle(() => document.getElementById("apiKey").disabled);
  assert.equal(document.getElementById("apiKey").value, "newsroom-key");
  assert.equal(document.querySelector("input[name=mode]:checked").value, "auto");
  assert.ok([...document.querySelectorAll("input[name=mode]")].every((mode) => mode.disabled));
  assert.equal(document.getElementById("managed-note").hidden, false);
});
