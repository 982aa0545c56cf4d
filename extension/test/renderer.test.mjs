import assert from "node:assert/strict";
import { test } from "node:test";
import { pageWith, resultFor } from "./helpers.mjs";

const HTML = `<article><p>Intro 👍🏽 text. Such a scenario, according to <a href="#analysts">analysts</a>, could <em>become</em> real.
Prices rose 5%.</p><p>The Kremlin said no.\r\nDone.</p></article>`;

function setup() {
  const page = pageWith(HTML);
  const root = page.SW.findArticleRoot(page.document);
  const collected = page.SW.collectText(root);
  return { ...page, root, ...collected };
}

test("marks a sentence across inline elements with one wrapper per text node, cues marked", () => {
  const { SW, root, text, segments } = setup();
  const result = resultFor(text, [
    { sentence: "Such a scenario, according to analysts, could become real.", labels: ["speculative", "vague_source"], cues: ["could become"] },
  ]);
  const handle = SW.highlight(segments, result);
  const marks = [...root.querySelectorAll("sourcewise-mark")];
  assert.ok(marks.length >= 4, `expected several wrappers, got ${marks.length}`);
  assert.equal(marks.map((m) => m.textContent).join(""), "Such a scenario, according to analysts, could become real.");
  for (const mark of marks) assert.equal(mark.getAttribute("data-sourcewise-label"), "speculative vague_source");
  const cueText = marks.filter((m) => m.hasAttribute("data-sourcewise-cue")).map((m) => m.textContent).join("");
  assert.equal(cueText, "could become");
  const link = root.querySelector("a");
  assert.equal(link.getAttribute("href"), "#analysts");
  assert.equal(link.querySelector("sourcewise-mark").textContent, "analysts"); // the link stays the outer element
  handle.remove();
});

test("offsets after emoji and CRLF land on the right characters", () => {
  const { SW, root, text, segments } = setup();
  const result = resultFor(text, [
    { sentence: "Prices rose 5%.", labels: ["unsourced"] },
    { sentence: "Done.", labels: ["unsourced"] },
  ]);
  SW.highlight(segments, result);
  const marked = [...root.querySelectorAll("sourcewise-mark")].map((m) => m.textContent);
  assert.deepEqual(marked, ["Prices rose 5%.", "Done."]);
});

test("removal restores the original DOM exactly, node identity included", () => {
  const { SW, root, document, text, segments } = setup();
  const before = root.innerHTML;
  const nodesBefore = segments.map((s) => s.node);
  const result = resultFor(text, [
    { sentence: "Intro 👍🏽 text.", labels: ["unsourced"] },
    { sentence: "Such a scenario, according to analysts, could become real.", labels: ["speculative"], cues: ["could become", "according to"] },
    { sentence: "The Kremlin said no.", labels: ["sourced"] },
  ]);
  const handle = SW.highlight(segments, result);
  assert.ok(document.querySelector("sourcewise-tooltip"));
  handle.remove();
  assert.equal(root.innerHTML, before);
  assert.equal(document.querySelector("sourcewise-tooltip"), null);
  const after = SW.collectText(root).segments.map((s) => s.node);
  assert.equal(after.length, nodesBefore.length);
  after.forEach((node, i) => assert.equal(node, nodesBefore[i]));
});

test("only shown labels are marked and blank text is never wrapped", () => {
  const { SW, root, text, segments } = setup();
  const result = resultFor(text, [
    { sentence: "Prices rose 5%.", labels: ["unsourced"] },
    { sentence: "The Kremlin said no.", labels: ["sourced"] },
  ]);
  SW.highlight(segments, result, { labels: ["sourced"] });
  const marks = [...root.querySelectorAll("sourcewise-mark")];
  assert.deepEqual(marks.map((m) => m.textContent), ["The Kremlin said no."]);
  for (const mark of marks) assert.ok(mark.textContent.trim());
});

test("tooltip shows label, explanation, cues and source through textContent", () => {
  const { SW, root, document, window, text, segments } = setup();
  const result = resultFor(text, [
    { sentence: "The Kremlin said no.", labels: ["sourced"], source: { start: 0, end: 0, text: "<img src=x onerror=alert(1)>", kind: "named" } },
  ]);
  SW.highlight(segments, result);
  const mark = root.querySelector("sourcewise-mark");
  mark.dispatchEvent(new window.Event("focus"));
  const tooltip = document.querySelector("sourcewise-tooltip");
  assert.equal(tooltip.hidden, false);
  assert.match(tooltip.textContent, /Sourced/);
  assert.match(tooltip.textContent, /why: sourced/);
  assert.match(tooltip.textContent, /Source: <img src=x onerror=alert\(1\)> · named/);
  assert.equal(tooltip.querySelector("img"), null);
});

const WORDINGS = [
  // [source from the API, what the card says after "Source: ", the quiet kind suffix]
  [{ text: "He", kind: "named", refers_to: "Mr Obama" }, "Mr Obama (“he”)", "named"],
  [{ text: "she", kind: "named", refers_to: "Chief engineer Priya Nair" }, "Chief engineer Priya Nair (“she”)", "named"],
  [{ text: "It", kind: "named", refers_to: "The Halvorsen Group" }, "the Halvorsen Group (“it”)", "named"],
  [{ text: "They", kind: "named", refers_to: "the union" }, "the union (“they”)", "named"],
  [{ text: "He", kind: "named", refers_to: null }, "someone named earlier (“he”)", null],
  [{ text: "She", kind: "named" }, "someone named earlier (“she”)", null],
  [{ text: "they", kind: "vague", refers_to: null }, "people the text does not name (“they”)", "vague"],
  [{ text: "I", kind: "named", refers_to: null }, "the speaker (“I”)", null],
  [{ text: "I", kind: "named", refers_to: "Senator Ruth Adler" }, "Senator Ruth Adler (“I”)", "named"],
  [{ text: "The Institute for the Study of War", kind: "named", refers_to: null }, "the Institute for the Study of War", "named"],
  [{ text: "officials familiar with the talks", kind: "vague", refers_to: null }, "officials familiar with the talks", "vague"],
  [{ text: "Heather Long", kind: "named", refers_to: null }, "Heather Long", "named"], // a name that starts like "He"
];

for (const [source, name, kind] of WORDINGS) {
  test(`a source reads as ${name}${kind ? ` · ${kind}` : ""}`, () => {
    const { SW } = setup();
    const wording = SW.sourceWording(source);
    assert.deepEqual([wording.name, wording.kind], [name, kind]);
  });
}

test("the card puts the referent first and the kind as a quiet suffix", () => {
  const { SW, root, document, window, text, segments } = setup();
  const start = text.indexOf("The Kremlin said no.");
  const result = resultFor(text, [
    { sentence: "The Kremlin said no.", labels: ["sourced"], source: { start, end: start + 11, text: "He", kind: "named", refers_to: "Mr Obama" } },
    { sentence: "Done.", labels: ["sourced"], source: { start: 0, end: 0, text: "he", kind: "named", refers_to: null } },
  ]);
  SW.highlight(segments, result);
  const [first, second] = [...root.querySelectorAll("sourcewise-mark[tabindex]")];
  first.dispatchEvent(new window.Event("focus"));
  const tooltip = document.querySelector("sourcewise-tooltip");
  const line = () => tooltip.querySelector(".sourcewise-tooltip-source");
  assert.equal(line().textContent, "Source: Mr Obama (“he”) · named");
  assert.equal(line().querySelector(".sourcewise-source-kind").getAttribute("data-kind"), "named");
  assert.doesNotMatch(tooltip.textContent, /named source|He \(Mr Obama\)/);
  second.dispatchEvent(new window.Event("focus"));
  assert.equal(line().textContent, "Source: someone named earlier (“he”)");
  assert.equal(line().querySelector(".sourcewise-source-kind"), null);
});

test("profile counts and shares sentences per label", () => {
  const { SW } = setup();
  const rows = SW.profile({ sentences: [{ labels: ["speculative"] }, { labels: ["speculative", "sourced"] }, { labels: [] }, { labels: [] }] });
  const speculative = rows.find((r) => r.label === "speculative");
  assert.equal(speculative.count, 2);
  assert.equal(speculative.share, 0.5);
});

test("#16 add() marks a streamed answer's later chunks, also in a text node an earlier chunk marked; remove() restores all", () => {
  const { SW, root, text, segments } = setup();
  const before = root.innerHTML;
  const whole = resultFor(text, [
    { sentence: "Intro 👍🏽 text.", labels: ["unsourced"] },
    { sentence: "Such a scenario, according to analysts, could become real.", labels: ["speculative"], cues: ["could become"] },
    { sentence: "Prices rose 5%.", labels: ["unsourced"] },
    { sentence: "The Kremlin said no.", labels: ["sourced"] },
    { sentence: "Done.", labels: ["unsourced"] },
  ]);
  const first = { sentences: whole.sentences.slice(0, 2) };
  const handle = SW.highlight(segments, first, { text, tooltips: false });
  assert.equal(handle.count, 2);
  handle.add(whole.sentences.slice(2, 4)); // "Prices rose 5%." shares a text node with the second sentence
  handle.add(whole.sentences.slice(4));
  assert.equal(handle.count, 5);
  const streamed = [...root.querySelectorAll("sourcewise-mark")].map((m) => [m.textContent, m.getAttribute("data-sourcewise-sentence")]);
  handle.remove();
  assert.equal(root.innerHTML, before);
  const once = SW.highlight(segments, whole, { text, tooltips: false });
  const plain = [...root.querySelectorAll("sourcewise-mark")].map((m) => [m.textContent, m.getAttribute("data-sourcewise-sentence")]);
  once.remove();
  assert.deepEqual(streamed, plain); // marked chunk by chunk or all at once: the same marks
  assert.equal(root.querySelectorAll("sourcewise-mark[data-sourcewise-first]").length, 0);
  assert.equal(root.innerHTML, before);
});
