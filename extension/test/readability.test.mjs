// Article detection with the vendored Readability, mapped back to the live page's text nodes (#10).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";
import { resultFor } from "./helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SCRIPTS = ["src/vendor/Readability.js", "src/vendor/Readability-readerable.js", "src/article.js", "src/renderer.js"];
const LONG = (topic) => `${topic} was discussed at length by the council on Tuesday, and members said the plan could change before the vote next month, according to people familiar with the talks.`;

/** A page in jsdom with the content scripts loaded in manifest order. */
function page(body, head = "") {
  const dom = new JSDOM(`<!doctype html><html><head><title>Story</title>${head}</head><body>${body}</body></html>`, {
    url: "http://127.0.0.1/story.html", runScripts: "outside-only", pretendToBeVisual: true,
  });
  for (const file of SCRIPTS) dom.window.eval(readFileSync(join(root, file), "utf8"));
  return { window: dom.window, document: dom.window.document, SW: dom.window.Sourcewise };
}

const NEWS = `
  <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
  <main><article>
    <h1>Council weighs the harbour plan</h1>
    <div class="share-bar"><a href="#s">Share this story</a> <a href="#e">Email</a> <a href="#f">Facebook</a></div>
    <p id="p1">${LONG("The harbour plan")} <a href="/plan">Read the plan</a> in full.</p>
    <figure><img src="x.jpg" alt=""><figcaption>The harbour at dawn. Photo: Jane Doe</figcaption></figure>
    <p id="p2">${LONG("The budget")}</p>
    <div class="ad-slot advertisement">ADVERTISING <a href="#u">Undo</a></div>
    <p id="p3">${LONG("The timetable")} Officials may delay it.</p>
    <p class="gone">${LONG("A hidden note")}</p>
  </article></main>
  <aside class="related"><h2>Most read</h2><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></aside>`;
const HIDE = "<style>.gone { display: none }</style>";

test("the vendored Readability files equal the pinned npm package's", () => {
  const pkg = join(root, "node_modules", "@mozilla", "readability");
  for (const file of ["Readability.js", "Readability-readerable.js", "LICENSE.md"]) {
    assert.ok(readFileSync(join(root, "src", "vendor", file)).equals(readFileSync(join(pkg, file))), `${file} differs from the npm package`);
  }
  const pinned = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).devDependencies["@mozilla/readability"];
  const installed = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
  assert.match(pinned, /^\d+\.\d+\.\d+$/, "pin an exact version");
  assert.equal(installed, pinned);
  assert.match(readFileSync(join(root, "src", "vendor", "README.md"), "utf8"), new RegExp(`Readability ${pinned.replace(/\./g, "\\.")}`));
  for (const manifest of ["manifest.json"]) {
    const js = JSON.parse(readFileSync(join(root, manifest), "utf8")).content_scripts[0].js;
    assert.ok(js.indexOf("src/vendor/Readability.js") < js.indexOf("src/article.js"), "Readability loads before article.js");
  }
});

test("Readability's article maps to the live page's text nodes, leaving share bars, ads, lists and hidden text out", () => {
  const { document, SW } = page(NEWS, HIDE);
  const article = SW.collectArticle(document);
  assert.equal(article.source, "readability");
  for (const segment of article.segments) {
    assert.equal(segment.node.ownerDocument, document, "segments point into the live page, not the clone");
    assert.ok(document.contains(segment.node));
    assert.equal(article.text.slice(segment.start, segment.end), segment.node.data);
  }
  for (const left of ["Share this story", "Most read", "Other story", "Home", "A hidden note"]) {
    assert.ok(!article.text.includes(left), `${left} should be left out`);
  }
  for (const kept of ["The harbour plan was", "Read the plan", "The budget was", "Officials may delay it."]) assert.ok(article.text.includes(kept), kept);
  assert.match(article.text, /month, according to people familiar with the talks\.[^\S\n]*\n[^\S\n]*\n/, "blocks are set apart by a blank line");
});

test("the text sent is Readability's article text, block for block", () => {
  const { document, window, SW } = page(NEWS);
  const squash = (text) => text.replace(/\s+/g, " ").trim();
  const parsed = new window.Readability(document.cloneNode(true)).parse();
  assert.equal(squash(SW.collectArticle(document).text), squash(parsed.textContent));
});

test("marks land in the live article and nowhere else; removal restores the page", () => {
  const { document, SW } = page(NEWS, HIDE);
  const before = document.body.innerHTML;
  const article = SW.collectArticle(document);
  const sentence = "Officials may delay it.";
  const handle = SW.highlight(article.segments, resultFor(article.text, [
    { sentence, labels: ["speculative"], cues: ["may"] },
    { sentence: LONG("The budget"), labels: ["vague_source"] },
  ]));
  const marks = [...document.querySelectorAll("sourcewise-mark")];
  assert.equal(marks.filter((m) => m.closest("#p3")).map((m) => m.textContent).join(""), sentence);
  assert.equal(marks.filter((m) => m.closest("#p2")).map((m) => m.textContent).join(""), LONG("The budget"));
  assert.ok(marks.every((m) => m.closest("#p2, #p3")));
  assert.equal(SW.collectArticle(document).text, article.text, "a marked page reads as the unmarked one");
  handle.remove();
  assert.equal(document.body.innerHTML, before);
});

test("nodes Readability makes anew (a retry from its cached HTML, a javascript: link) are found on the live page", () => {
  // div.comment is dropped on Readability's first pass, which then re-parses the page from HTML
  const more = ["The dock", "The tide", "The crane"].map((t) => `<p>${LONG(t)}</p>`).join("");
  const { document, SW } = page(`<div class="comment"><p>${LONG("The ferry")}</p><p>${LONG("The pier")} <a href="javascript:void(0)">More here</a> now.</p><p>${LONG("The toll")}</p>${more}</div>`);
  const article = SW.collectArticle(document);
  assert.equal(article.source, "readability");
  assert.ok(article.text.includes("More here"));
  for (const segment of article.segments) {
    assert.ok(document.contains(segment.node));
    assert.equal(article.text.slice(segment.start, segment.end), segment.node.data);
  }
  SW.highlight(article.segments, resultFor(article.text, [{ sentence: LONG("The pier"), labels: ["unsourced"] }]));
  assert.equal([...document.querySelectorAll("sourcewise-mark")].map((m) => m.textContent).join(""), LONG("The pier"));
});

test("an ordinal's <sup> stays in the sentence; a footnote marker does not", () => {
  const more = ["Trade", "Fishing", "Tourism", "Shipping", "Rail"].map((t) => `<p>${LONG(t)}</p>`).join("");
  const { document, SW } = page(`<article><p>${LONG("The 19<sup>th</sup> century")}<sup><a href="#fn1">1</a></sup></p>${more}</article>`);
  const { text } = SW.collectArticle(document);
  assert.ok(text.includes("The 19th century was"));
  assert.ok(!text.includes("talks.1"));
});

test("no article: a page of links and a short note gives null", () => {
  const { document, SW } = page(`<nav><ul>${"<li><a href='/x'>Section</a></li>".repeat(12)}</ul></nav><p>Welcome to our site.</p><footer>Contact</footer>`);
  assert.equal(SW.collectArticle(document), null);
});

test("the heuristics are the fallback when Readability finds the page not readerable", () => {
  const short = "Short line of the story, told plainly.";
  const { document, SW } = page(`<article>${`<p>${short}</p>`.repeat(8)}</article>`);
  const article = SW.collectArticle(document);
  assert.equal(article.source, "heuristic");
  assert.ok(article.text.length >= SW.MIN_ARTICLE_CHARS);
});

test("a selection is collected exactly, across inline elements, and marked only where selected", () => {
  const { document, window, SW } = page(`<div id="d"><p id="a">Intro text. Rain <em>may</em> fall on Monday, forecasters said. Tail end.</p><p id="b">Next block here.</p></div>`);
  const a = document.getElementById("a");
  const range = document.createRange();
  range.setStart(a.firstChild, "Intro text. ".length);
  const last = a.lastChild; // " fall on Monday, forecasters said. Tail end."
  range.setEnd(last, last.data.indexOf(" Tail"));
  window.getSelection().addRange(range);
  const selected = SW.collectSelection(window.getSelection());
  assert.equal(selected.text, "Rain may fall on Monday, forecasters said.");
  const handle = SW.highlight(selected.segments, resultFor(selected.text, [{ sentence: selected.text, labels: ["speculative"], cues: ["may"] }]));
  assert.equal([...document.querySelectorAll("sourcewise-mark")].map((m) => m.textContent).join(""), "Rain may fall on Monday, forecasters said.");
  handle.remove();
  assert.equal(a.textContent, "Intro text. Rain may fall on Monday, forecasters said. Tail end.");
  const second = document.createRange();
  second.setStart(a.lastChild, a.lastChild.data.indexOf("Tail"));
  second.setEnd(document.getElementById("b").firstChild, 4);
  window.getSelection().removeAllRanges();
  window.getSelection().addRange(second);
  const across = SW.collectSelection(window.getSelection());
  assert.match(across.text, /Tail end\.\n\nNext$/, "blocks in a selection are set apart by a blank line");
});
