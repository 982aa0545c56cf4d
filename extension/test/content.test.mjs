// The content script's page watcher and sends (#12): click mode sends nothing unasked, the watcher
// stops with automatic mode or its permission, a failure is not re-sent for unrelated DOM changes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { blocksResult, contentPage, settle } from "./fake-extension.mjs";

// Long enough to count as an article (MIN_ARTICLE_CHARS) for Readability and the fallback alike (#10).
const LAST = "The crossing carried about forty thousand vehicles a day before it closed in March, and traffic has since been diverted through the old town, where residents have complained about noise and queues.";
const ARTICLE = `<div id="ticker">DOW 100</div><article><p>The minister said the bridge would reopen.</p>
<p>Officials reportedly fear delays.</p>
<p>${LAST}</p></article>`;

function tick(page) {
  const ticker = page.document.getElementById("ticker");
  ticker.textContent = `DOW ${Math.random()}`;
}

function addParagraph(page, text) {
  const p = page.document.createElement("p");
  p.textContent = text;
  page.document.querySelector("article").appendChild(p);
}

test("click mode sends nothing when the page changes (#12)", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: false } });
  await settle();
  addParagraph(page, "A new paragraph appears.");
  tick(page);
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 0);
  assert.equal(page.pendingTimers().length, 0, "no watcher timer in click mode");
});

test("switching to click mode stops the page watcher (#12)", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true } });
  await settle();
  assert.equal(page.analyses().length, 1);
  await page.setSettings({ autoAnalyze: false });
  addParagraph(page, "Later news that nobody asked to send.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 1);
});

test("a revoked permission stops the page watcher (#12)", async () => {
  let permitted = true;
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true }, policy: () => ({ automatic: permitted }) });
  await settle();
  assert.equal(page.analyses().length, 1);
  permitted = false;
  await page.message({ type: "sourcewise:policy-changed" });
  await settle();
  addParagraph(page, "Text after the grant went.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 1);
});

test("the background refusing an automatic send stops the watcher (#12)", async () => {
  const page = contentPage(ARTICLE, {
    settings: { autoAnalyze: true },
    analyze: (text, message) => (message.reason === "auto" ? { ok: true, result: { sentences: [] } } : { ok: false, status: 0, stop: true }),
  });
  await settle();
  addParagraph(page, "First change.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 2);
  addParagraph(page, "Second change.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 2, "watcher kept running after the refusal");
});

test("the page watcher still runs in automatic mode (new article text is sent once)", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true } });
  await settle();
  addParagraph(page, "Officials say the bridge may reopen in June.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 2);
  assert.match(page.analyses()[1].text, /June/);
  assert.ok([...page.document.querySelectorAll("sourcewise-mark")].some((m) => m.textContent.includes("June")));
});

test("after a failure a ticker elsewhere never re-sends the same text (#12)", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true }, analyze: () => ({ ok: false, status: 503, message: "down" }) });
  await settle();
  assert.equal(page.analyses().length, 1);
  for (let i = 0; i < 10; i++) {
    tick(page);
    await settle();
    await page.fireTimers();
  }
  assert.equal(page.analyses().length, 1);
  assert.equal(page.document.documentElement.getAttribute("data-sourcewise-state"), "failed");
  tick(page);
  await settle();
  assert.equal(page.pendingTimers().length, 0, "a ticker outside the article schedules nothing");
  addParagraph(page, "The article itself changed.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 2, "changed article text may go again");
});

test("a deferred send waits for the server's time, then goes if the text still differs (#12)", async () => {
  let deferred = true;
  const page = contentPage(ARTICLE, {
    settings: { autoAnalyze: true },
    analyze: () => (deferred ? { ok: false, status: 0, deferred: true, retryAt: Date.now() + 30_000 } : { ok: true, result: { sentences: [] } }),
  });
  await settle();
  assert.equal(page.analyses().length, 1);
  const retry = page.pendingTimers();
  assert.equal(retry.length, 1);
  assert.ok(retry[0].ms > 25_000, `retry scheduled after ${retry[0].ms} ms`);
  deferred = false;
  await page.fireTimers();
  assert.equal(page.analyses().length, 2, "the text was never sent, so it goes once the wait is over");
  tick(page);
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 2);
});

test("the reader's request goes even when the text did not change", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: false } });
  await settle();
  assert.equal((await page.message({ type: "sourcewise:run" })).ok, true);
  assert.equal((await page.message({ type: "sourcewise:run" })).ok, true);
  assert.equal(page.analyses().length, 2);
  assert.ok(page.analyses().every((m) => m.reason === "requested"));
  assert.ok(page.document.querySelector("sourcewise-mark"));
});

test("a paragraph re-rendered during the request: no throw, other marks made, remove takes all (#12)", async () => {
  let release;
  const page = contentPage(ARTICLE, {
    settings: { autoAnalyze: false },
    analyze: (text) => new Promise((resolve) => { release = () => resolve({ ok: true, result: blocksResult(text) }); }),
  });
  await settle();
  const run = page.message({ type: "sourcewise:run" });
  await settle();
  const first = page.document.querySelector("article p");
  first.replaceChildren(...[...first.childNodes].map((node) => node.cloneNode(true))); // the page's framework re-renders the paragraph
  release();
  assert.equal((await run).ok, true);
  const marks = [...page.document.querySelectorAll("sourcewise-mark")];
  assert.deepEqual(marks.map((m) => m.textContent), ["Officials reportedly fear delays.", LAST]);
  const second = page.document.querySelectorAll("article p")[1];
  second.replaceWith(second.cloneNode(true)); // re-rendered after marking: a copy of our mark
  assert.equal(page.document.querySelectorAll("sourcewise-mark").length, 2);
  await page.message({ type: "sourcewise:remove" });
  assert.equal(page.document.querySelectorAll("sourcewise-mark").length, 0);
  assert.equal(page.document.querySelector("article").textContent.replace(/\s+/g, " ").trim(),
    `The minister said the bridge would reopen. Officials reportedly fear delays. ${LAST}`);
});

test("remove pauses automatic analysis until the reader asks again", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true } });
  await settle();
  await page.message({ type: "sourcewise:remove" });
  addParagraph(page, "More text.");
  await settle();
  await page.fireTimers();
  assert.equal(page.analyses().length, 1);
  assert.equal(page.document.querySelectorAll("sourcewise-mark").length, 0);
});


test("a ticker outside the article never delays a check of the changed article", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: true } });
  await settle();
  addParagraph(page, "The article changed.");
  await settle();
  const [check] = page.pendingTimers();
  assert.ok(check, "the article change schedules a check");
  tick(page);
  const ad = page.document.createElement("div");
  ad.textContent = "Buy now";
  page.document.body.appendChild(ad);
  await settle();
  assert.deepEqual(page.pendingTimers(), [check], "the ticker and the ad did not reset the settle timer");
  await page.fireTimers();
  assert.equal(page.analyses().length, 2);
});

test("a page without an article is searched again only when article-like content arrives, not on every tick (#10, #12)", async () => {
  const page = contentPage(`<div id="ticker">DOW 100</div><div id="note">Short note.</div>`, { settings: { autoAnalyze: true } });
  await settle();
  assert.equal(page.document.documentElement.getAttribute("data-sourcewise-state"), "no-article");
  let searches = 0;
  const collectArticle = page.SW.collectArticle;
  page.SW.collectArticle = (doc) => {
    searches += 1;
    return collectArticle(doc);
  };
  for (let i = 0; i < 5; i++) {
    tick(page);
    await settle();
    await page.fireTimers();
  }
  assert.equal(searches, 0, "a ticker made the page be searched for an article again");
  assert.equal(page.pendingTimers().length, 0);
  page.document.body.appendChild(page.document.createElement("article"));
  addParagraph(page, LAST);
  addParagraph(page, "Officials said the repairs would cost more than twice the first estimate.");
  await settle();
  await page.fireTimers();
  assert.ok(searches >= 1, "new article content was not looked at");
  assert.equal(page.analyses().length, 1, "the article that arrived was not sent");
});

test("an analysis reads the page once, and again only to replace its own marks", async () => {
  const page = contentPage(ARTICLE, { settings: { autoAnalyze: false } });
  await settle();
  let searches = 0;
  const collectArticle = page.SW.collectArticle;
  page.SW.collectArticle = (doc) => {
    searches += 1;
    return collectArticle(doc);
  };
  await page.message({ type: "sourcewise:run" });
  assert.equal(searches, 1, "the unmarked page was read twice");
  await page.message({ type: "sourcewise:run" });
  assert.equal(searches, 3, "marked text nodes must be read again after the marks are removed");
  assert.equal(page.analyses()[1].text, page.analyses()[0].text);
  assert.equal(page.document.querySelectorAll("sourcewise-mark").length, 3);
});
