import assert from "node:assert/strict";
import { test } from "node:test";
import { pageWith } from "./helpers.mjs";

test("finds the <article> and leaves out navigation, asides, scripts, hidden text and comments", () => {
  const { document, SW } = pageWith(`
    <nav><a href="/">Home</a> <a href="/world">World</a></nav>
    <article>
      <h1>Headline</h1>
      <p>First <a href="#x">linked</a> sentence.<!-- a comment --></p>
      <aside>Related: other story</aside>
      <p style="display:none">Hidden paragraph.</p>
      <p hidden>Also hidden.</p>
      <script>var x = 1;</script><style>p {}</style>
      <p>Second paragraph.</p>
    </article>
    <footer>Footer text</footer>`);
  const root = SW.findArticleRoot(document);
  assert.equal(root.tagName, "ARTICLE");
  const { text } = SW.collectText(root);
  assert.equal(text.replace(/\s+/g, " ").trim(), "Headline First linked sentence. Second paragraph.");
  assert.match(text, /sentence\.\s*\n\s*Second/); // blocks stay apart, so sentences do not run together
});

test("prefers [itemprop=articleBody], then falls back to the densest block of paragraphs", () => {
  const a = pageWith(`<article><div itemprop="articleBody"><p>Body text here.</p></div><p>Teaser</p></article>`);
  assert.equal(a.SW.findArticleRoot(a.document).getAttribute("itemprop"), "articleBody");
  const b = pageWith(`<div id="side"><p>short</p></div><div id="story"><p>${"Long text. ".repeat(20)}</p><p>More text.</p></div>`);
  assert.equal(b.SW.findArticleRoot(b.document).id, "story");
});

test("the node map points every character back to its text node", () => {
  const { document, SW } = pageWith(`<article><p>Café 🚀 <em>emphasis</em> and\r\nCRLF.</p><p>Next é.</p></article>`);
  const { text, segments } = SW.collectText(SW.findArticleRoot(document));
  for (const segment of segments) {
    assert.equal(text.slice(segment.start, segment.end), segment.node.data);
  }
  assert.ok(text.includes("🚀"));
  assert.equal(text.indexOf("emphasis"), "Café 🚀 ".length); // UTF-16: the rocket counts 2
});
