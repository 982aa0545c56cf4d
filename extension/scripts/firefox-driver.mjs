// Drive Debian's firefox-esr with the Firefox build installed, over WebDriver BiDi (puppeteer-core), for the
// pytest Firefox tests (tests/test_firefox_extension.py). Usage: node scripts/firefox-driver.mjs JOB.json
// JOB: {extension, uuid, readerSettings?, options?, pages: [{url, script, screenshot?, timeoutMs?, settleMs?, viewport?, initScript?}],
//       noArticle?: {url, select, marks, menuSelect?, screenshot?, popupScreenshot?, timeoutMs?}}
// Prints one JSON line: {version, options?, pages: [{url, state, value, offsite, ms}], noArticle?, refused, ms}.
// Administrator settings come from policies.json, which the caller writes before this runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";
const DONE = "html[data-sourcewise-state=done]";
const NO_ARTICLE = "html[data-sourcewise-state=no-article]";
// What the popup shows: its status line, the no-article message and the error line (null when hidden).
const popupState = () => {
  const shown = (id) => { const element = document.getElementById(id); return element.hidden ? null : element.textContent.trim(); };
  return { status: document.getElementById("status").textContent, noArticle: shown("no-article"), error: shown("error"),
           profile: !document.getElementById("profile").hidden };
};
const OPTIONS_STATE = `() => ({
  serverUrl: document.getElementById("serverUrl").value,
  apiKey: document.getElementById("apiKey").value,
  mode: document.querySelector("input[name=mode]:checked")?.value,
  labels: [...document.querySelectorAll("#labels input:checked")].map((box) => box.value),
  disabled: [...document.querySelectorAll("input:disabled")].map((input) => input.id || input.value),
  note: !document.getElementById("managed-note").hidden,
  badges: document.querySelectorAll(".managed-badge").length,
})`;

/**
 * Only 127.0.0.1 is reachable: Firefox sends every other request to this proxy, which refuses it (403) and
 * remembers the host. Requests of the page, the add-on and Firefox itself all count.
 */
async function refusingProxy() {
  const refused = [];
  const server = net.createServer((socket) => {
    socket.once("data", (chunk) => {
      const [method, target] = chunk.toString("latin1").split(" ", 2);
      refused.push(`${method} ${target}`);
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    socket.on("error", () => {});
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  const prefs = {
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": port,
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": port,
    "network.proxy.share_proxy_settings": true,
    "network.proxy.allow_hijacking_localhost": false,
    "network.proxy.no_proxies_on": "127.0.0.1",
    "network.dns.disableIPv6": true,
  };
  return { prefs, refused, close: () => server.close() };
}

/**
 * A copy of the build whose options page and popup 127.0.0.1 pages may load: BiDi may not navigate a tab to
 * moz-extension://, so the reader's own settings are saved through the real options page inside an iframe, and the
 * popup is opened as a tab by a 127.0.0.1 page (see extensionTab).
 */
function testCopy(extension) {
  const dir = mkdtempSync(join(tmpdir(), "sourcewise-firefox-"));
  cpSync(extension, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  manifest.web_accessible_resources = [{ resources: ["options.html", "popup.html"], matches: ["http://127.0.0.1/*"] }];
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return dir;
}

async function withOptionsHost(uuid, use) {
  const server = http.createServer((_request, response) => {
    response.setHeader("Content-Type", "text/html; charset=utf-8");
    response.end(`<!doctype html><title>options host</title><iframe style="width: 640px; height: 720px; border: 0" src="moz-extension://${uuid}/options.html"></iframe>`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    return await use(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    server.close();
  }
}

/** The popup's state once ``settled(state)`` holds, or as it is when ``ms`` have passed. */
async function popupWhen(popup, settled, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const state = await popup.evaluate(popupState);
    if (settled(state) || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function optionsFrame(browser, hostUrl) {
  const page = await browser.newPage();
  await page.goto(hostUrl);
  for (let i = 0; i < 100; i++) {
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    const ready = frame && (await frame.evaluate(() => !!document.getElementById("serverUrl")?.value).catch(() => false));
    if (ready) return { page, frame };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the options page did not load in its frame");
}

/** Press the popup's "Analyse selected text"; its state once the answer is shown (the status line changed). */
async function pressAnalyseSelection(popup) {
  const before = (await popup.evaluate(popupState)).status;
  await popup.click("#analyse-selection");
  // the button first says "Analysing the selection…" and leaves an earlier error shown until the answer comes;
  // a streamed answer then says "… so far…" until its summary arrives
  return popupWhen(popup, (state) => state.status !== before && state.status !== "Analysing the selection…" && !String(state.status).endsWith("so far…"), 20_000);
}

/**
 * Open an extension page (web-accessible in the test copy) as a tab of its own: BiDi may not navigate there, but a
 * 127.0.0.1 page may, and the page it opens has the full extension API (chrome.tabs, unlike a framed one).
 */
async function extensionTab(browser, fromUrl, url) {
  const page = await browser.newPage();
  await page.goto(fromUrl);
  await page.evaluate((target) => { location.href = target; }, url);
  for (let i = 0; i < 100; i++) {
    const ready = await page.evaluate((target) => location.href === target && document.readyState === "complete", url).catch(() => false);
    if (ready) return page;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not open`);
}

/**
 * A page without an article: wait for the content script to say so, open the real popup for its tab (as a tab, with
 * ?tab=ID as the popup allows), press "Analyse selected text" with nothing selected, then after selecting text
 * (job.select runs in the page); then, if job.menuSelect is given, on the reloaded page the context-menu handler.
 * Returns the page's state, the popup's state and the page's marks at each step.
 */
async function noArticleVisit(browser, uuid, job) {
  const started = Date.now();
  const page = await browser.newPage();
  await page.goto(job.url, { waitUntil: "load", timeout: 30_000 });
  await page.waitForSelector(NO_ARTICLE, { timeout: job.timeoutMs ?? 20_000 }).catch(() => null);
  const answer = { pageState: await page.evaluate(() => document.documentElement.getAttribute("data-sourcewise-state")) };
  answer.marksBefore = await page.evaluate(`(${job.marks})()`);
  const base = `moz-extension://${uuid}/`;
  const popup = await extensionTab(browser, job.url, `${base}options.html`);
  answer.tabId = await popup.evaluate(async (url) => (await chrome.tabs.query({})).filter((tab) => tab.url === url).map((tab) => tab.id), job.url);
  if (answer.tabId.length !== 1) throw new Error(`${answer.tabId.length} tabs show ${job.url}`);
  await popup.evaluate((target) => { location.href = target; }, `${base}popup.html?tab=${answer.tabId[0]}`);
  await popup.waitForFunction(() => location.pathname === "/popup.html" && !!document.getElementById("status"), { timeout: 10_000 });
  // the popup asks the background page for the tab's state; wait until it has answered (the status changes)
  answer.popupOpened = await popupWhen(popup, (state) => state.status !== "Not analysed yet.", 5_000);
  answer.popupNothingSelected = await pressAnalyseSelection(popup); // nothing selected yet
  answer.marksNothingSelected = await page.evaluate(`(${job.marks})()`);
  await page.evaluate(`(${job.select})()`);
  answer.selected = await page.evaluate(() => document.getSelection().toString());
  answer.popupSelection = await pressAnalyseSelection(popup);
  answer.marksSelection = await page.evaluate(`(${job.marks})()`);
  if (job.popupScreenshot) await popup.screenshot({ path: job.popupScreenshot });
  if (job.menuSelect) {
    // the context-menu entry's handler, called as the menu does (no driver clicks a native menu), on the page anew
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector(NO_ARTICLE, { timeout: job.timeoutMs ?? 20_000 }).catch(() => null);
    await page.evaluate(`(${job.menuSelect})()`);
    answer.menu = await popup.evaluate(async (tabId) => {
      const state = await (await chrome.runtime.getBackgroundPage()).analyseSelectionInTab(tabId);
      return { ok: state.ok, sentences: state.result ? state.result.sentences.length : null, message: state.message ?? null };
    }, answer.tabId[0]);
    answer.marksMenu = await page.evaluate(`(${job.marks})()`);
  }
  await popup.close();
  if (job.screenshot) await page.screenshot({ path: job.screenshot, fullPage: true });
  await page.close();
  answer.ms = Date.now() - started;
  return answer;
}

async function visit(browser, job) {
  const started = Date.now();
  const page = await browser.newPage();
  if (job.viewport) await page.setViewport(job.viewport); // e.g. a 900 px high window for the card at its bottom (#17)
  if (job.initScript) await page.evaluateOnNewDocument(job.initScript); // runs in the page before its own scripts (#16)
  const offsite = [];
  page.on("request", (request) => {
    const url = request.url();
    if (/^https?:/.test(url) && new URL(url).hostname !== "127.0.0.1") offsite.push(url);
  });
  try {
    await page.goto(job.url, { waitUntil: "load", timeout: 60_000 });
  } catch (error) {
    // a page whose own (blocked) resources make the load report an error is still analysed; the state says
    console.error(`loading ${job.url}: ${error.message.split("\n")[0]}`);
  }
  let state = "done";
  try {
    await page.waitForSelector(DONE, { timeout: job.timeoutMs ?? 60_000 });
  } catch (error) {
    state = "timeout";
  }
  if (job.settleMs) await new Promise((resolve) => setTimeout(resolve, job.settleMs));
  const value = await page.evaluate(`(${job.script})()`);
  if (job.screenshot) await page.screenshot({ path: job.screenshot, fullPage: true });
  await page.close();
  return { url: job.url, state, value, offsite, ms: Date.now() - started };
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const started = Date.now();
  const extension = testCopy(job.extension);
  const proxy = await refusingProxy();
  const browser = await puppeteer.launch({
    browser: "firefox", executablePath: FIREFOX, headless: true,
    extraPrefsFirefox: { ...proxy.prefs, "extensions.webextensions.uuids": JSON.stringify({ [job.id]: job.uuid }) },
  });
  try {
    const installed = await browser.installExtension(extension);
    if (installed !== job.id) throw new Error(`installed ${installed}, expected ${job.id}`);
    const answer = { version: await browser.version(), pages: [] };
    if (job.readerSettings || job.options) {
      answer.options = await withOptionsHost(job.uuid, async (hostUrl) => {
        const { page, frame } = await optionsFrame(browser, hostUrl);
        if (job.readerSettings) await frame.evaluate((values) => chrome.storage.sync.set(values), job.readerSettings);
        const stored = await frame.evaluate(() => chrome.storage.sync.get(null));
        await page.close();
        const reopened = await optionsFrame(browser, hostUrl); // a fresh options page shows the saved state
        const state = await reopened.frame.evaluate(`(${OPTIONS_STATE})()`);
        if (job.optionsScreenshot) await reopened.page.screenshot({ path: job.optionsScreenshot, fullPage: true });
        await reopened.page.close();
        return { stored, state };
      });
    }
    for (const page of job.pages || []) answer.pages.push(await visit(browser, page));
    if (job.noArticle) answer.noArticle = await noArticleVisit(browser, job.uuid, job.noArticle);
    answer.refused = proxy.refused;
    answer.ms = Date.now() - started;
    process.stdout.write(JSON.stringify(answer) + "\n");
  } finally {
    await browser.close();
    proxy.close();
    rmSync(extension, { recursive: true, force: true });
  }
}

await main();
