// The background worker (#12): who may ask what, replies that always arrive, backoff on failures.
import assert from "node:assert/strict";
import { test } from "node:test";
import { backgroundWorker, blocksResult, json } from "./fake-extension.mjs";

const ok = (url, init) => json(200, blocksResult(JSON.parse(init.body).text));

test("popup messages from a content script are refused, whatever the tab (#12)", async () => {
  const bg = backgroundWorker({ server: ok });
  const page = bg.senders.content(1);
  for (const type of ["sourcewise:state", "sourcewise:reanalyse", "sourcewise:remove"]) {
    for (const tabId of [1, 2]) {
      const answer = await bg.send({ type, tabId }, page);
      assert.equal(answer.ok, false, `${type} for tab ${tabId} was answered`);
      assert.match(answer.message, /Not allowed/);
    }
  }
  assert.equal(bg.calls.tabMessages.length, 0, "nothing was run or removed in any tab");
});

test("popup messages from other extension pages or other extensions are refused (#12)", async () => {
  const bg = backgroundWorker({ server: ok });
  const other = { id: "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", url: "chrome-extension://zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz/popup.html" };
  assert.match((await bg.send({ type: "sourcewise:remove", tabId: 1 }, other)).message, /Not allowed/);
  assert.match((await bg.send({ type: "sourcewise:remove", tabId: 1 }, bg.senders.options())).message, /Not allowed/);
  const spoofed = { id: bg.senders.popup().id, url: "https://evil.example/popup.html", tab: { id: 2, url: "https://evil.example/popup.html" } };
  assert.match((await bg.send({ type: "sourcewise:state", tabId: 1 }, spoofed)).message, /Not allowed/);
  assert.equal(bg.calls.tabMessages.length, 0);
});

test("the popup may ask about real tabs only (#12)", async () => {
  const bg = backgroundWorker({ server: ok });
  const popup = bg.senders.popup("?tab=2");
  for (const tabId of [99, -1, "1", 1.5, null, "1; drop"]) {
    const answer = await bg.send({ type: "sourcewise:remove", tabId }, popup);
    assert.equal(answer.ok, false, `tab id ${JSON.stringify(tabId)} accepted`);
  }
  assert.equal(bg.calls.tabMessages.length, 0);
  assert.equal((await bg.send({ type: "sourcewise:remove", tabId: 2 }, popup)).ok, true);
  assert.deepEqual(bg.calls.tabMessages.map((m) => m.id), [2]);
});

test("analysis is for content scripts only; the popup reads the tab's state", async () => {
  const bg = backgroundWorker({ server: ok });
  assert.match((await bg.send({ type: "sourcewise:analyze", text: "x", reason: "requested" }, bg.senders.popup())).message, /Not allowed/);
  const answer = await bg.send({ type: "sourcewise:analyze", text: "The minister said so.", reason: "requested" }, bg.senders.content(1));
  assert.equal(answer.ok, true);
  const state = await bg.send({ type: "sourcewise:state", tabId: 1 }, bg.senders.popup());
  assert.equal(state.result.sentences.length, 1);
  assert.equal(await bg.send({ type: "sourcewise:state", tabId: 2 }, bg.senders.popup()), null);
});

test("a full storage.session never drops the reply (#12)", async () => {
  const bg = backgroundWorker({ server: ok, sessionFails: true });
  const answer = await bg.send({ type: "sourcewise:analyze", text: "The minister said so.", reason: "requested" }, bg.senders.content(1));
  assert.equal(answer.ok, true);
  const state = await bg.send({ type: "sourcewise:state", tabId: 1 }, bg.senders.popup());
  assert.equal(state.ok, true, "the state comes from memory");
  assert.equal((await bg.send({ type: "sourcewise:remove", tabId: 1 }, bg.senders.popup())).ok, true);
});

test("a throwing handler still replies", async () => {
  const bg = backgroundWorker({ server: () => { throw new TypeError("boom"); } });
  const answer = await bg.send({ type: "sourcewise:analyze", text: "x", reason: "requested" }, bg.senders.content(1));
  assert.equal(answer.ok, false);
});

test("automatic sends need automatic mode and the page's permission (#12)", async () => {
  const off = backgroundWorker({ server: ok, settings: { autoAnalyze: false } });
  const refused = await off.send({ type: "sourcewise:analyze", text: "x", reason: "changed" }, off.senders.content(1));
  assert.equal(refused.stop, true);
  assert.equal((await off.send({ type: "sourcewise:policy" }, off.senders.content(1))).automatic, false);
  const on = backgroundWorker({ server: ok, settings: { autoAnalyze: true } });
  const elsewhere = on.senders.content(1, "https://news.example/story");
  assert.equal((await on.send({ type: "sourcewise:policy" }, elsewhere)).automatic, false, "no all-sites grant");
  assert.equal((await on.send({ type: "sourcewise:analyze", text: "x", reason: "auto" }, elsewhere)).stop, true);
  assert.equal((await on.send({ type: "sourcewise:policy" }, on.senders.content(1))).automatic, true);
  assert.equal(off.calls.fetch.length + on.calls.fetch.length, 0);
});

test("failures back off exponentially, capped; success resets (#12)", async () => {
  let status = 503;
  const bg = backgroundWorker({ server: (url, init) => (status === 200 ? ok(url, init) : json(status, { error: { message: "down" } })), settings: { autoAnalyze: true } });
  const auto = (text) => bg.send({ type: "sourcewise:analyze", text, reason: "changed" }, bg.senders.content(1));
  const waits = [];
  for (let i = 0; i < 12; i++) {
    const failed = await auto(`text ${i}`);
    assert.equal(failed.status, 503);
    const deferred = await auto(`text ${i} again`);
    assert.equal(deferred.deferred, true);
    waits.push(deferred.retryAt - bg.clock.now);
    bg.clock.now = deferred.retryAt;
  }
  assert.equal(bg.calls.fetch.length, 12, "deferred sends never reached the server");
  assert.deepEqual(waits.slice(0, 4), [2000, 4000, 8000, 16000]);
  assert.equal(Math.max(...waits), 5 * 60_000);
  status = 200;
  assert.equal((await auto("fine now")).ok, true);
  assert.equal((await auto("and again")).ok, true, "success resets the backoff");
});

test("offline and 413 back off too; 401 does not", async () => {
  const offline = backgroundWorker({ server: () => Promise.reject(new TypeError("Failed to fetch")), settings: { autoAnalyze: true } });
  await offline.send({ type: "sourcewise:analyze", text: "a", reason: "auto" }, offline.senders.content(1));
  assert.equal((await offline.send({ type: "sourcewise:analyze", text: "b", reason: "changed" }, offline.senders.content(1))).deferred, true);
  const big = backgroundWorker({ server: () => json(413, { error: { message: "too large" } }), settings: { autoAnalyze: true } });
  await big.send({ type: "sourcewise:analyze", text: "a", reason: "auto" }, big.senders.content(1));
  assert.equal((await big.send({ type: "sourcewise:analyze", text: "b", reason: "changed" }, big.senders.content(1))).deferred, true);
  const locked = backgroundWorker({ server: () => json(401, { error: { message: "key" } }), settings: { autoAnalyze: true } });
  await locked.send({ type: "sourcewise:analyze", text: "a", reason: "auto" }, locked.senders.content(1));
  assert.equal((await locked.send({ type: "sourcewise:analyze", text: "b", reason: "requested" }, locked.senders.content(1))).status, 401);
});

test("Retry-After holds back automatic sends and the reader's, in seconds or as a date (#12)", async () => {
  for (const header of ["120", new Date(Date.UTC(2026, 0, 1) + 120_000).toUTCString()]) {
    const bg = backgroundWorker({ server: () => json(429, { error: { message: "slow down" } }, { "Retry-After": header }), settings: { autoAnalyze: true } });
    const first = await bg.send({ type: "sourcewise:analyze", text: "a", reason: "auto" }, bg.senders.content(1));
    assert.equal(first.status, 429);
    bg.clock.now += 60_000;
    const auto = await bg.send({ type: "sourcewise:analyze", text: "b", reason: "changed" }, bg.senders.content(1));
    assert.equal(auto.deferred, true);
    const asked = await bg.send({ type: "sourcewise:analyze", text: "b", reason: "requested" }, bg.senders.content(1));
    assert.equal(asked.deferred, true);
    assert.match(asked.message, /try again in 60 s/);
    const state = await bg.send({ type: "sourcewise:state", tabId: 1 }, bg.senders.popup());
    assert.match(state.message, /try again in 60 s/, "the popup tells the reader why nothing happened");
    assert.equal(bg.calls.fetch.length, 1);
    bg.clock.now += 61_000;
    await bg.send({ type: "sourcewise:analyze", text: "b", reason: "requested" }, bg.senders.content(1));
    assert.equal(bg.calls.fetch.length, 2, "the reader's request goes once the server's wait is over");
  }
});

test("marks.css is injected keyed on the content script's token, only for a well-formed token (#12)", async () => {
  const bg = backgroundWorker({ server: ok });
  const token = "0123456789abcdef0123456789abcdef";
  assert.equal((await bg.send({ type: "sourcewise:style", token: "x} body { display: none" }, bg.senders.content(1))).ok, false);
  assert.equal((await bg.send({ type: "sourcewise:style", token }, bg.senders.popup())).ok, false);
  assert.equal(bg.calls.insertCSS.length, 0);
  assert.equal((await bg.send({ type: "sourcewise:style", token }, bg.senders.content(1))).ok, true);
  const [{ target, css }] = bg.calls.insertCSS;
  assert.deepEqual({ ...target, frameIds: [...target.frameIds] }, { tabId: 1, frameIds: [0] });
  assert.ok(css.includes(`sourcewise-mark[data-sourcewise-owner="${token}"]`));
  assert.ok(!css.includes("SOURCEWISE-TOKEN"));
});

test("a page without an article is remembered as such for the popup (#10)", async () => {
  const bg = backgroundWorker({ server: ok });
  assert.equal((await bg.send({ type: "sourcewise:no-article" }, bg.senders.content(1))).ok, true);
  const state = await bg.send({ type: "sourcewise:state", tabId: 1 }, bg.senders.popup());
  assert.equal(state.noArticle, true);
  assert.equal(state.ok, false);
  assert.equal((await bg.send({ type: "sourcewise:no-article" }, bg.senders.popup())).ok, false, "only a content script says its page has no article");
});

const REPORT = { sentence: "Experts say it could rain.", context: "The mayor spoke.", labels: ["speculative", "vague_source"], label: "vague_source",
  verdict: "wrong", url: "http://127.0.0.1:8080/article.html" };

test("#17 a report from the page's card goes to the server's /feedback with the API key, exactly the contract's fields", async () => {
  const bg = backgroundWorker({ server: () => json(201, { id: "r1" }), settings: { apiKey: "k-1", serverUrl: "http://127.0.0.1:9000/" } });
  const answer = await bg.send({ type: "sourcewise:feedback", report: { ...REPORT, extra: "page text" } }, bg.senders.content(1));
  assert.deepEqual(JSON.parse(JSON.stringify(answer)), { ok: true, id: "r1" });
  const [call] = bg.calls.fetch;
  assert.equal(call.url, "http://127.0.0.1:9000/feedback");
  assert.equal(call.init.method, "POST");
  assert.equal(call.init.headers.Authorization, "Bearer k-1");
  assert.deepEqual(JSON.parse(call.init.body), REPORT, "nothing but the contract's fields");
});

test("#17 reports: only from content scripts, malformed ones never sent, a refusal is told", async () => {
  const bg = backgroundWorker({ server: () => json(429, { error: { message: "slow" } }) });
  assert.match((await bg.send({ type: "sourcewise:feedback", report: REPORT }, bg.senders.popup())).message, /Not allowed/);
  for (const bad of [null, { ...REPORT, verdict: "meh" }, { ...REPORT, label: "bogus" }, { ...REPORT, sentence: 3 }, { ...REPORT, labels: ["x"] }]) {
    assert.equal((await bg.send({ type: "sourcewise:feedback", report: bad }, bg.senders.content(1))).ok, false);
  }
  assert.equal(bg.calls.fetch.length, 0);
  const refused = await bg.send({ type: "sourcewise:feedback", report: REPORT }, bg.senders.content(1));
  assert.equal(refused.ok, false);
  assert.equal(refused.status, 429);
});

test("#17 the reader's sensitivity goes with each analysis; none is sent when it is the server's default", async () => {
  const bg = backgroundWorker({ server: ok, settings: { sensitivity: "strict" } });
  await bg.send({ type: "sourcewise:analyze", text: "The minister said so.", reason: "requested" }, bg.senders.content(1));
  assert.equal(JSON.parse(bg.calls.fetch[0].init.body).sensitivity, "strict");
  const plain = backgroundWorker({ server: ok });
  await plain.send({ type: "sourcewise:analyze", text: "The minister said so.", reason: "requested" }, plain.senders.content(1));
  assert.equal("sensitivity" in JSON.parse(plain.calls.fetch[0].init.body), false);
});

test("#17 the popup's list, go-to and step reach the tab's content script", async () => {
  const bg = backgroundWorker({ server: ok });
  await bg.send({ type: "sourcewise:list", tabId: 1 }, bg.senders.popup());
  await bg.send({ type: "sourcewise:goto", tabId: 2, ref: 7 }, bg.senders.popup());
  await bg.send({ type: "sourcewise:step", tabId: 1, direction: -5 }, bg.senders.popup());
  assert.deepEqual(JSON.parse(JSON.stringify(bg.calls.tabMessages)), [
    { id: 1, message: { type: "sourcewise:list" } }, { id: 2, message: { type: "sourcewise:goto", ref: "7" } },
    { id: 1, message: { type: "sourcewise:step", direction: -1 } },
  ]);
  assert.match((await bg.send({ type: "sourcewise:step", tabId: 1, direction: 1 }, bg.senders.content(1))).message, /Not allowed/);
});
