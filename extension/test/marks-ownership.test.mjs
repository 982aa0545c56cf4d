// Marks belong to the renderer that made them (#12): styles and tooltips for its own marks only,
// no throw on nodes that moved or went, and remove() takes every mark away.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { pageWith, resultFor } from "./helpers.mjs";

const TEMPLATE = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "src", "marks.css"), "utf8");
const HTML = `<article><p>The Kremlin said no.</p><p>Prices may rise.</p>
<p><sourcewise-mark data-sourcewise-label="sourced" tabindex="0">A page's own fake mark.</sourcewise-mark></p></article>`;

function setup() {
  const page = pageWith(HTML);
  const root = page.SW.findArticleRoot(page.document);
  return { ...page, root, ...page.SW.collectText(root) };
}

test("only the renderer's own marks match its styles; a page-made mark does not (#12)", () => {
  const { SW, document, window, text, segments } = setup();
  const style = document.createElement("style");
  style.textContent = SW.markStyles(TEMPLATE);
  document.head.appendChild(style);
  SW.highlight(segments, resultFor(text, [{ sentence: "The Kremlin said no.", labels: ["sourced"] }]), { text });
  const fake = [...document.querySelectorAll("sourcewise-mark")].find((m) => m.textContent.startsWith("A page"));
  const ours = [...document.querySelectorAll("sourcewise-mark")].find((m) => m.textContent === "The Kremlin said no.");
  assert.match(SW.MARK_TOKEN, /^[0-9a-f]{32}$/);
  assert.equal(ours.getAttribute("data-sourcewise-owner"), SW.MARK_TOKEN);
  assert.ok(SW.isOwn(ours) && !SW.isOwn(fake));
  const dotted = (el) => window.getComputedStyle(el).backgroundImage; // sourced: the faint dotted line (#17)
  assert.match(dotted(ours), /linear-gradient/);
  assert.doesNotMatch(dotted(fake), /linear-gradient/);
  assert.ok(!style.textContent.includes("SOURCEWISE-TOKEN"));
  // a page that guesses the attribute name but not the session's token gets nothing either
  fake.setAttribute("data-sourcewise-owner", "SOURCEWISE-TOKEN");
  assert.doesNotMatch(dotted(fake), /linear-gradient/);
});

test("a page-made mark shows no tooltip, ours does (#12)", () => {
  const { SW, document, window, text, segments } = setup();
  SW.highlight(segments, resultFor(text, [{ sentence: "The Kremlin said no.", labels: ["sourced"] }]), { text });
  const all = [...document.querySelectorAll("sourcewise-mark")];
  const ours = all.find((m) => SW.isOwn(m));
  const fake = all.find((m) => !SW.isOwn(m));
  const tooltip = document.querySelector("sourcewise-tooltip");
  fake.dispatchEvent(new window.Event("mouseenter"));
  fake.dispatchEvent(new window.Event("focus"));
  assert.equal(tooltip.hidden, true);
  ours.dispatchEvent(new window.Event("focus"));
  assert.equal(tooltip.hidden, false);
  assert.match(tooltip.textContent, /Sourced/);
});

test("segments whose nodes went or changed are skipped without a throw (#12)", () => {
  const { SW, document, root, text, segments } = setup();
  const [first, second] = root.querySelectorAll("p");
  first.textContent = "The Kremlin said no."; // same text, new node: the old one is detached
  second.firstChild.data = "Prices may fall."; // same node, other text
  const result = resultFor(text, [
    { sentence: "The Kremlin said no.", labels: ["sourced"] },
    { sentence: "Prices may rise.", labels: ["speculative"] },
  ]);
  const handle = SW.highlight(segments, result, { text });
  assert.equal(handle.marks.length, 0);
  assert.equal([...document.querySelectorAll("sourcewise-mark")].filter((m) => SW.isOwn(m)).length, 0);
  handle.remove();
});

test("remove() takes away marks the page moved, copied or detached, and never the page's own (#12)", () => {
  const { SW, document, root, text, segments } = setup();
  const result = resultFor(text, [
    { sentence: "The Kremlin said no.", labels: ["sourced"] },
    { sentence: "Prices may rise.", labels: ["speculative"] },
  ]);
  const handle = SW.highlight(segments, result, { text });
  const [first, second] = root.querySelectorAll("p");
  root.appendChild(first); // moved
  second.parentNode.insertBefore(second.cloneNode(true), second); // copied by a re-render
  second.remove(); // and the original detached
  handle.remove();
  const left = [...document.querySelectorAll("sourcewise-mark")];
  assert.deepEqual(left.map((m) => m.textContent), ["A page's own fake mark."]);
  assert.equal(document.querySelector("sourcewise-tooltip"), null);
  assert.match(root.textContent, /Prices may rise\.[\s\S]*The Kremlin said no\./);
});

test("loading the renderer twice keeps the first token, so injected styles still match", () => {
  const { SW, window } = setup();
  const token = SW.MARK_TOKEN;
  window.eval(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "src", "renderer.js"), "utf8"));
  assert.equal(window.Sourcewise.MARK_TOKEN, token);
});
