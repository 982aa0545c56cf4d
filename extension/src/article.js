/*
 * Sourcewise: find a page's article and collect its text with a map back to the text nodes.
 * Classic script (content scripts cannot be ES modules); exports on globalThis.Sourcewise and,
 * under Node, module.exports, so the unit tests can load it with jsdom.
 */
(function (root) {
  "use strict";

  const SKIPPED_TAGS = new Set([
    "SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "NAV", "ASIDE", "FOOTER", "HEADER", "FORM", "BUTTON",
    "SELECT", "TEXTAREA", "INPUT", "IFRAME", "SVG", "CANVAS", "VIDEO", "AUDIO", "FIGURE", "SOURCEWISE-TOOLTIP",
  ]);
  const SKIPPED_ROLES = new Set(["navigation", "complementary", "banner", "contentinfo", "dialog", "alertdialog", "menu"]);
  const BLOCK_TAGS = new Set([
    "P", "DIV", "LI", "UL", "OL", "H1", "H2", "H3", "H4", "H5", "H6", "BLOCKQUOTE", "SECTION", "ARTICLE",
    "MAIN", "TD", "TH", "TR", "TABLE", "FIGCAPTION", "PRE", "DD", "DT", "DL", "HR", "BR",
  ]);
  const BLOCK_SEPARATOR = "\n\n";

  /** The element holding the article's main text. */
  function findArticleRoot(doc) {
    const selectors = ["[itemprop=articleBody]", "article", "main", "[role=main]"];
    for (const selector of selectors) {
      const found = [...doc.querySelectorAll(selector)].filter((el) => !isHidden(el));
      if (found.length) {
        return found.reduce((best, el) => (textLength(el) > textLength(best) ? el : best));
      }
    }
    return densestBlock(doc) || doc.body;
  }

  function textLength(el) {
    return [...el.querySelectorAll("p")].reduce((sum, p) => sum + p.textContent.trim().length, 0);
  }

  /** The element whose direct <p> children hold the most text. */
  function densestBlock(doc) {
    let best = null;
    let bestScore = 0;
    for (const p of doc.querySelectorAll("p")) {
      const parent = p.parentElement;
      if (!parent || isSkipped(parent, doc.body)) continue;
      const score = [...parent.children].filter((c) => c.tagName === "P").reduce((s, c) => s + c.textContent.trim().length, 0);
      if (score > bestScore) {
        best = parent;
        bestScore = score;
      }
    }
    return best;
  }

  /** A footnote reference such as <sup><a href="#fn1">1</a></sup>: not part of the sentence. */
  function isFootnoteMarker(el) {
    return el.tagName === "SUP" && /^\s*[\[(]?[0-9a-z*†‡]{1,3}[\])]?\s*$/i.test(el.textContent);
  }

  function isHidden(el) {
    if (el.hidden || el.getAttribute("aria-hidden") === "true") return true;
    const view = el.ownerDocument.defaultView;
    if (!view || !view.getComputedStyle) return false;
    const style = view.getComputedStyle(el);
    return style.display === "none" || style.visibility === "hidden";
  }

  /** True when an element (or an ancestor up to the article root) is not article text. */
  function isSkipped(el, stop) {
    for (let node = el; node && node !== stop.parentElement; node = node.parentElement) {
      if (SKIPPED_TAGS.has(node.tagName) || isFootnoteMarker(node)) return true;
      const role = node.getAttribute && node.getAttribute("role");
      if (role && SKIPPED_ROLES.has(role)) return true;
      if (isHidden(node)) return true;
      if (node === stop) break;
    }
    return false;
  }

  function blockOf(node, stop) {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (BLOCK_TAGS.has(el.tagName) || el === stop) return el;
    }
    return stop;
  }

  /**
   * The article's text as one string, with segments mapping string ranges (UTF-16 indices, as
   * JavaScript counts) back to text nodes. Blocks are separated by a blank line that maps to no node.
   */
  function collectText(rootElement) {
    const doc = rootElement.ownerDocument;
    const walker = doc.createTreeWalker(rootElement, 4 /* NodeFilter.SHOW_TEXT */);
    const segments = [];
    let text = "";
    let lastBlock = null;
    const skipCache = new Map();
    const skipped = (el) => {
      if (!skipCache.has(el)) skipCache.set(el, isSkipped(el, rootElement));
      return skipCache.get(el);
    };
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.data.length || skipped(node.parentElement)) continue;
      const block = blockOf(node, rootElement);
      if (lastBlock && block !== lastBlock && text && !/\s$/.test(text)) text += BLOCK_SEPARATOR;
      lastBlock = block;
      segments.push({ node, start: text.length, end: text.length + node.data.length });
      text += node.data;
    }
    return { text, segments };
  }

  const api = { findArticleRoot, collectText, isHidden, BLOCK_SEPARATOR };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
