// The reader's side of the marks (#17): one Tab stop per sentence, the card (aria-describedby, Escape,
// placement inside the window), cue emphasis only where a cue carries a label, dismiss, next / previous,
// the list in page order, reports, and highlight() called more than once on one page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pageWith, resultFor } from "./helpers.mjs";

const HTML = `<article><p>First, <b>officials</b> may close <i>the</i> bridge on Friday. The mayor said the road reopens on Monday.</p>
<p>Prices rose 5% in May? Experts say it could rain.</p><p>Nothing here.</p></article>`;

function setup() {
  const page = pageWith(HTML);
  const root = page.SW.findArticleRoot(page.document);
  return { ...page, root, ...page.SW.collectText(root) };
}

const SENTENCES = [
  { sentence: "First, officials may close the bridge on Friday.", labels: ["speculative", "unsourced"], cues: ["may close", "Friday"] },
  { sentence: "The mayor said the road reopens on Monday.", labels: ["sourced"], cues: ["said"] },
  { sentence: "Prices rose 5% in May?", labels: ["unsourced"], cues: ["5%", "?"] },
  { sentence: "Experts say it could rain.", labels: ["speculative", "vague_source"], cues: ["Experts say", "could"] },
];

/** resultFor with realistic cue kinds: speculation, attribution, claim evidence and a question mark. */
function result(text) {
  const made = resultFor(text, SENTENCES);
  const kinds = { "may close": ["speculation", "epistemic"], could: ["speculation", "epistemic"], Friday: ["claim", "date"], "5%": ["claim", "percent"],
    "?": ["speculation", "question"], said: ["attribution", "reporting_verb"], "Experts say": ["attribution", "reporting_verb"] };
  for (const sentence of made.sentences) for (const cue of sentence.cues) [cue.kind, cue.type] = kinds[cue.text];
  return made;
}

const plain = (value) => JSON.parse(JSON.stringify(value)); // out of the jsdom window's realm
const firstFragments = (root) => [...root.querySelectorAll("sourcewise-mark[tabindex]")];

test("#17 one Tab stop per marked sentence, on its first fragment, tied to the card by aria-describedby", () => {
  const { SW, root, document, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  const stops = firstFragments(root);
  assert.equal(stops.length, SENTENCES.length);
  assert.ok(root.querySelectorAll("sourcewise-mark").length > stops.length * 2, "sentences are split into several fragments");
  for (const stop of stops) {
    assert.equal(stop.getAttribute("tabindex"), "0");
    const sentence = stop.getAttribute("data-sourcewise-sentence");
    const fragments = [...root.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence="${sentence}"]`)];
    assert.equal(fragments[0], stop, "the Tab stop is the sentence's first fragment in page order");
    const description = document.getElementById(stop.getAttribute("aria-describedby"));
    assert.ok(description && description.closest("sourcewise-tooltip"), "aria-describedby points into the card");
  }
});

test("#17 only cue words that carry a label are emphasised: not dates, numbers or a question mark", () => {
  const { SW, root, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  const emphasised = [...root.querySelectorAll("sourcewise-mark[data-sourcewise-emphasis]")].map((m) => [m.textContent, m.getAttribute("data-sourcewise-emphasis")]);
  assert.deepEqual(emphasised, [["may close", "speculative"], ["Experts say", "vague_source"], ["could", "speculative"]]);
  // every cue is still a cue fragment (the tooltip and tests can find it), emphasised or not
  assert.deepEqual([...root.querySelectorAll("sourcewise-mark[data-sourcewise-cue]")].map((m) => m.textContent),
    ["may close", "Friday", "said", "5%", "?", "Experts say", "could"]);
  assert.equal(SW.cueLabel({ text: "said", kind: "attribution" }, ["sourced"]), null, "a named source's verb carries nothing to doubt");
});

test("#17 hover or focus shades the whole sentence; Escape closes the card", () => {
  const { SW, root, document, window, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  const [first] = firstFragments(root);
  first.dispatchEvent(new window.Event("focus"));
  const card = document.querySelector("sourcewise-tooltip");
  assert.equal(card.hidden, false);
  assert.match(card.textContent, /Speculative · Unsourced claim/);
  assert.match(card.textContent, /Cue words: may close/);
  assert.doesNotMatch(card.textContent, /Friday/, "claim evidence is not called a cue word");
  const sentence = first.getAttribute("data-sourcewise-sentence");
  const fragments = [...root.querySelectorAll(`sourcewise-mark[data-sourcewise-sentence="${sentence}"]`)];
  assert.ok(fragments.every((m) => m.hasAttribute("data-sourcewise-active")), "every fragment of the sentence is active");
  assert.equal(root.querySelectorAll("sourcewise-mark[data-sourcewise-active]").length, fragments.length, "and nothing else");
  document.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.equal(card.hidden, true);
  assert.equal(root.querySelectorAll("sourcewise-mark[data-sourcewise-active]").length, 0);
});

test("#17 the card flips above a mark near the bottom of the window and stays inside it", () => {
  const { SW, root, document, window, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  Object.defineProperty(window, "innerHeight", { value: 900, configurable: true });
  Object.defineProperty(window, "innerWidth", { value: 1280, configurable: true });
  const [, , , last] = firstFragments(root);
  last.getBoundingClientRect = () => ({ left: 1200, right: 1260, top: 860, bottom: 880, width: 60, height: 20 });
  const card = document.querySelector("sourcewise-tooltip");
  card.getBoundingClientRect = () => ({ left: 0, top: 0, width: 320, height: 140, right: 320, bottom: 140 });
  last.dispatchEvent(new window.Event("mouseenter"));
  const top = parseFloat(card.style.top);
  const left = parseFloat(card.style.left);
  assert.equal(card.getAttribute("data-sourcewise-placement"), "above");
  assert.equal(top, 860 - 6 - 140);
  assert.ok(left + 320 <= 1280 - 4 && left >= 4, `clamped horizontally: ${left}`);
});

test("#17 dismiss removes one sentence's marks for this page view, also when it is rendered again", () => {
  const { SW, root, document, window, text, segments } = setup();
  const before = root.textContent;
  let handle = SW.highlight(segments, result(text), { text });
  const [first] = firstFragments(root);
  first.dispatchEvent(new window.Event("focus"));
  document.querySelector("sourcewise-tooltip .sourcewise-dismiss").click();
  assert.equal(root.textContent, before, "no text lost");
  assert.equal(firstFragments(root).length, SENTENCES.length - 1);
  assert.ok(!root.textContent.includes("officials may") || ![...root.querySelectorAll("sourcewise-mark")].some((m) => m.textContent.includes("officials")));
  assert.equal(SW.sentenceList(document).length, SENTENCES.length - 1);
  handle.remove();
  handle = SW.highlight(SW.collectText(root).segments, result(text), { text });
  assert.equal(firstFragments(root).length, SENTENCES.length - 1, "a dismissed sentence stays unmarked in this page view");
  SW.resetDismissed(document);
  handle.remove();
  SW.highlight(SW.collectText(root).segments, result(text), { text });
  assert.equal(firstFragments(root).length, SENTENCES.length, "a fresh analysis the reader asks for brings it back");
});

test("#17 next / previous go through the sentences in page order and wrap round; the list is in page order", () => {
  const { SW, root, document, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  const stops = firstFragments(root);
  const visited = [1, 1, 1, 1, 1].map(() => SW.step(document, 1).index);
  assert.deepEqual(visited, [0, 1, 2, 3, 0]);
  assert.equal(document.activeElement, stops[0]);
  assert.equal(SW.step(document, -1).index, 3);
  assert.equal(document.activeElement, stops[3]);
  const list = plain(SW.sentenceList(document));
  assert.deepEqual(list.map((s) => s.text), SENTENCES.map((s) => s.sentence));
  assert.deepEqual(list[3].labels, ["speculative", "vague_source"]);
  SW.focusSentence(document, list[2].ref);
  assert.equal(document.activeElement, stops[2]);
});

test("#17 in-page keys on a focused mark: n / p step, Enter moves into the card", () => {
  const { SW, root, document, window, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  const stops = firstFragments(root);
  stops[0].focus();
  stops[0].dispatchEvent(new window.KeyboardEvent("keydown", { key: "n", bubbles: true }));
  assert.equal(document.activeElement, stops[1]);
  stops[1].dispatchEvent(new window.KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  assert.ok(document.activeElement.closest("sourcewise-tooltip"), "Enter focuses the card's first button");
  document.dispatchEvent(new window.KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  assert.equal(document.activeElement, stops[1], "Escape from the card returns to the mark");
  document.dispatchEvent(new window.KeyboardEvent("keydown", { key: "P", code: "KeyP", altKey: true, shiftKey: true, bubbles: true }));
  assert.equal(document.activeElement, stops[0], "Alt+Shift+P: the previous one");
});

test("#17 a report names the disputed label, the reader's label, the sentence and the two before it", async () => {
  const { SW, root, document, window, text, segments } = setup();
  const reports = [];
  SW.highlight(segments, result(text), { text, pageUrl: "http://127.0.0.1/a", onReport: async (report) => (reports.push(report), { ok: true, id: "1" }) });
  const stops = firstFragments(root);
  stops[3].dispatchEvent(new window.Event("focus"));
  const card = document.querySelector("sourcewise-tooltip");
  card.querySelector(".sourcewise-wrong").click();
  const form = card.querySelector("form");
  assert.equal(form.hidden, false);
  form.dispatchEvent(new window.Event("submit", { cancelable: true }));
  assert.equal(reports.length, 0, "nothing is sent before a label is chosen");
  form.querySelector("input[value=vague_source]").checked = true;
  form.querySelector("select").value = "sourced";
  form.dispatchEvent(new window.Event("submit", { cancelable: true }));
  for (let i = 0; i < 20 && !card.hasAttribute("data-sourcewise-reported"); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  const base = { sentence: "Experts say it could rain.", context: "The mayor said the road reopens on Monday. Prices rose 5% in May?",
    labels: ["speculative", "vague_source"], url: "http://127.0.0.1/a" };
  assert.deepEqual(plain(reports), [{ ...base, label: "vague_source", verdict: "wrong" }, { ...base, label: "sourced", verdict: "missing" }]);
  assert.match(card.textContent, /report was sent/);
});

test("#17 without onReport there is no Wrong label button (Dismiss stays)", () => {
  const { SW, root, document, window, text, segments } = setup();
  SW.highlight(segments, result(text), { text });
  firstFragments(root)[0].dispatchEvent(new window.Event("focus"));
  assert.equal(document.querySelector("sourcewise-tooltip .sourcewise-wrong").hidden, true);
  assert.equal(document.querySelector("sourcewise-tooltip .sourcewise-dismiss").hidden, false);
});

test("#17 highlight() more than once on one page (a streamed answer): earlier marks stay, one card, one list", () => {
  const { SW, root, document, text, segments } = setup();
  const whole = result(text);
  const firstPart = SW.highlight(segments, { ...whole, sentences: whole.sentences.slice(0, 2) }, { text });
  const earlier = [...root.querySelectorAll("sourcewise-mark")];
  const rest = SW.collectText(root); // the page's text nodes as they are now (the first marks split some)
  assert.equal(rest.text, text);
  const secondPart = SW.highlight(rest.segments, { ...whole, sentences: whole.sentences.slice(2) }, { text: rest.text });
  assert.ok(earlier.every((mark) => mark.isConnected), "the first marks were not disturbed");
  assert.equal(firstFragments(root).length, 4);
  assert.equal(document.querySelectorAll("sourcewise-tooltip").length, 1);
  assert.deepEqual(plain(SW.sentenceList(document)).map((s) => s.text), SENTENCES.map((s) => s.sentence));
  secondPart.remove();
  assert.equal(firstFragments(root).length, 2, "removing one part leaves the other");
  assert.equal(document.querySelectorAll("sourcewise-tooltip").length, 1);
  firstPart.remove();
  assert.equal(document.querySelectorAll("sourcewise-tooltip").length, 0);
});

test("#17 the legend is made of own marks carrying each label", () => {
  const { SW, document } = setup();
  const legend = SW.legend(document);
  const swatches = [...legend.querySelectorAll("sourcewise-mark")];
  assert.deepEqual(swatches.map((m) => m.getAttribute("data-sourcewise-label")), [...plain(SW.ALL_LABELS), "speculative"]);
  assert.ok(swatches.every((m) => SW.isOwn(m)));
  assert.equal(swatches.at(-1).getAttribute("data-sourcewise-emphasis"), "speculative");
});

test("#15 the card shows how sure the model is of each label it gives, when the answer carries scores", () => {
  const { SW, root, document, window, text, segments } = setup();
  const answer = result(text);
  answer.sentences[0].scores = { speculative: 0.998, vague_source: 0.02, unsourced: 0.815, sourced: 0.1 };
  SW.highlight(segments, answer, { text });
  const [first, second] = firstFragments(root);
  first.dispatchEvent(new window.Event("focus"));
  const card = document.querySelector("sourcewise-tooltip");
  assert.deepEqual([...card.querySelectorAll(".sourcewise-chip-score")].map((s) => s.textContent.trim()), ["99 %", "82 %"], "a probability shown as at most 99 %");
  second.dispatchEvent(new window.Event("focus"));
  assert.equal(card.querySelectorAll(".sourcewise-chip-score").length, 0, "no scores in the answer: none shown");
});
