// Drive Debian's firefox-esr with the Firefox build installed, over WebDriver BiDi (puppeteer-core), for the
// pytest Firefox tests (tests/test_firefox_extension.py). Usage: node scripts/firefox-driver.mjs JOB.json
// JOB: {extension, uuid, readerSettings?, options?, pages: [{url, script, screenshot?, timeoutMs?}]}
// Prints one JSON line: {version, options?, pages: [{url, state, value, offsite, ms}], refused, ms}.
// Administrator settings come from policies.json, which the caller writes before this runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const FIREFOX = process.env.FIREFOX || "/usr/bin/firefox-esr";
const DONE = "html[data-sourcewise-state=done]";
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
 * A copy of the build whose options page may be framed by 127.0.0.1 pages: BiDi may not navigate a tab to
 * moz-extension://, so the reader's own settings are saved through the real options page inside an iframe.
 */
function testCopy(extension) {
  const dir = mkdtempSync(join(tmpdir(), "sourcewise-firefox-"));
  cpSync(extension, dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  manifest.web_accessible_resources = [{ resources: ["options.html"], matches: ["http://127.0.0.1/*"] }];
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

async function visit(browser, job) {
  const started = Date.now();
  const page = await browser.newPage();
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
    for (const page of job.pages) answer.pages.push(await visit(browser, page));
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
