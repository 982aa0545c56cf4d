/*
 * Sourcewise: find a page's article and collect its text with a map back to the text nodes.
 * The article is what Mozilla's Readability (src/vendor/) extracts from a clone of the page, mapped
 * back to the live page's text nodes; the older heuristics (findArticleRoot) are the fallback.
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
  /** Less text than this is not an article (a teaser, an error page, a list of links). */
  const MIN_ARTICLE_CHARS = 200;

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

  /** A footnote reference such as <sup><a href="#fn1">1</a></sup>, not an ordinal's "th": not part of the sentence. */
  function isFootnoteMarker(el) {
    return el.tagName === "SUP" && /^\s*[\[(]?([0-9]{1,3}|[a-z]|[*†‡]{1,3})[\])]?\s*$/i.test(el.textContent);
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
      if (lastBlock && block !== lastBlock && needsSeparator(text)) text += BLOCK_SEPARATOR;
      lastBlock = block;
      segments.push({ node, start: text.length, end: text.length + node.data.length });
      text += node.data;
    }
    return { text, segments };
  }

  /** True when a new block must be set apart: there is text and it does not end in a blank line yet. */
  function needsSeparator(text) {
    return text.trim() !== "" && !/\n[^\S\n]*\n\s*$/.test(text);
  }

  /**
   * Memoised "is text in this element left out of the page": hidden, aria-hidden or display:none on
   * it or an ancestor. Not visibility:hidden, which pages use for a moment (anti-flicker snippets
   * hide the whole body until their script loads) and which a child may override.
   */
  function hiddenTest() {
    const cache = new Map();
    const hidden = (el) => {
      if (!el || el.nodeType !== 1) return false;
      if (!cache.has(el)) {
        const view = el.ownerDocument.defaultView;
        const style = view && view.getComputedStyle ? view.getComputedStyle(el) : null;
        const own = el.hidden || el.getAttribute("aria-hidden") === "true" || el.tagName === "SOURCEWISE-TOOLTIP" || (style && style.display === "none");
        cache.set(el, own || hidden(el.parentElement));
      }
      return cache.get(el);
    };
    return hidden;
  }

  /**
   * Clone the document and pair every text node of the clone with its live twin(s), before anything
   * changes the clone. Our own marks are unwrapped in the clone (their split text nodes merged back),
   * so a marked page reads as the unmarked one; a merged clone node maps to several live nodes.
   */
  function cloneWithTwins(doc) {
    const clone = doc.cloneNode(true);
    const live = [];
    const twins = new Map();
    const liveWalker = doc.createTreeWalker(doc.documentElement, 4 /* NodeFilter.SHOW_TEXT */);
    const cloneWalker = clone.createTreeWalker(clone.documentElement, 4);
    for (let a = liveWalker.nextNode(), b = cloneWalker.nextNode(); a && b; a = liveWalker.nextNode(), b = cloneWalker.nextNode()) {
      live.push(a);
      twins.set(b, [a]);
    }
    for (const tooltip of [...clone.querySelectorAll("sourcewise-tooltip")]) tooltip.remove();
    for (const mark of [...clone.querySelectorAll("sourcewise-mark")]) mark.replaceWith(...mark.childNodes);
    const cloneTexts = clone.createTreeWalker(clone.documentElement, 4);
    for (let node = cloneTexts.nextNode(); node; node = cloneTexts.nextNode()) {
      let next = node.nextSibling;
      while (next && next.nodeType === 3) {
        node.data += next.data;
        twins.get(node).push(...(twins.get(next) || []));
        const after = next.nextSibling;
        next.remove();
        next = after;
      }
    }
    return { clone, live, twins };
  }

  /**
   * The live text nodes a clone text node stands for: its recorded twins, or (for a node Readability
   * made anew, e.g. after re-parsing its cached HTML) the next run of live nodes whose text equals it.
   */
  function liveNodesFor(node, twins, live, cursor) {
    const known = twins.get(node);
    if (known) return known;
    if (!node.data.trim()) return []; // blank: nothing to mark, and aligning it could skip ahead
    for (let i = cursor; i < live.length; i++) {
      if (!live[i].data || !node.data.startsWith(live[i].data)) continue;
      const run = [];
      let joined = "";
      for (let j = i; j < live.length && joined.length < node.data.length; j++) {
        run.push(live[j]);
        joined += live[j].data;
      }
      if (joined === node.data) return run;
    }
    return [];
  }

  function blockIn(node, stop) {
    for (let el = node.parentNode; el && el !== stop; el = el.parentNode) {
      if (BLOCK_TAGS.has(el.tagName)) return el;
    }
    return stop;
  }

  /**
   * The article as Readability extracts it from a clone of the page, as text plus segments pointing
   * at the live page's text nodes (so marks land in the real DOM and nothing it left out is marked).
   * Null when Readability is not loaded, judges the page not readerable, or finds nothing.
   */
  function readabilityArticle(doc) {
    if (typeof root.Readability !== "function" || !doc.body) return null;
    if (typeof root.isProbablyReaderable === "function" && !root.isProbablyReaderable(doc)) return null;
    const { clone, live, twins } = cloneWithTwins(doc);
    let parsed = null;
    try {
      parsed = new root.Readability(clone, { serializer: (element) => element }).parse();
    } catch (error) {
      return null; // too many elements, or a page Readability cannot handle: the heuristics take over
    }
    if (!parsed || !parsed.content) return null;
    const index = new Map(live.map((node, i) => [node, i]));
    const hidden = hiddenTest();
    const segments = [];
    let text = "";
    let lastBlock = null;
    let cursor = 0;
    const add = (data, block, liveNode) => {
      if (lastBlock && block !== lastBlock && needsSeparator(text)) text += BLOCK_SEPARATOR;
      lastBlock = block;
      if (liveNode) segments.push({ node: liveNode, start: text.length, end: text.length + data.length });
      text += data;
    };
    const walker = clone.createTreeWalker(parsed.content, 4);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const block = blockIn(node, parsed.content);
      const nodes = liveNodesFor(node, twins, live, cursor);
      // not found on the live page as such (blank, or rebuilt by Readability): analysed as read, never marked
      if (!nodes.length && (node.data.trim() || text)) add(node.data, block, null);
      for (const liveNode of nodes) {
        if (index.has(liveNode)) cursor = Math.max(cursor, index.get(liveNode) + 1);
        const parent = liveNode.parentElement;
        const sup = parent && parent.closest("sup");
        if (!liveNode.data.length || !liveNode.isConnected || hidden(parent) || (sup && isFootnoteMarker(sup))) continue;
        add(liveNode.data, block, liveNode);
      }
    }
    return { text, segments, source: "readability" };
  }

  /**
   * The page's article text and its node map, or null when the page has no article: Readability
   * first, then the heuristics (an <article>, articleBody, <main> or the densest block of paragraphs).
   */
  function collectArticle(doc) {
    const found = readabilityArticle(doc);
    if (found && found.text.trim().length >= MIN_ARTICLE_CHARS) return found;
    const rootElement = findArticleRoot(doc);
    const fallback = { ...collectText(rootElement), source: "heuristic" };
    if (rootElement !== doc.body && fallback.text.trim().length >= MIN_ARTICLE_CHARS) return fallback;
    return null;
  }

  /**
   * The text the reader selected, with segments for the selected part of each text node
   * (``offset`` is where the segment starts inside its node). Hidden text and our tooltip are left out.
   */
  function collectSelection(selection) {
    const hidden = hiddenTest();
    const segments = [];
    let text = "";
    let lastBlock = null;
    for (let r = 0; r < selection.rangeCount; r++) {
      const range = selection.getRangeAt(r);
      const container = range.commonAncestorContainer;
      const nodes = [];
      if (container.nodeType === 3) nodes.push(container);
      else {
        const walker = container.ownerDocument.createTreeWalker(container, 4);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) if (range.intersectsNode(node)) nodes.push(node);
      }
      for (const node of nodes) {
        const from = node === range.startContainer ? range.startOffset : 0;
        const to = node === range.endContainer ? range.endOffset : node.data.length;
        const parent = node.parentElement;
        if (from >= to || hidden(parent) || (parent && isSkippedTag(parent))) continue;
        const block = blockOf(node, container.nodeType === 1 ? container : parent);
        if (lastBlock && block !== lastBlock && needsSeparator(text)) text += BLOCK_SEPARATOR;
        lastBlock = block;
        segments.push({ node, start: text.length, end: text.length + to - from, offset: from });
        text += node.data.slice(from, to);
      }
    }
    return { text, segments, source: "selection" };
  }

  function isSkippedTag(el) {
    for (let node = el; node; node = node.parentElement) {
      if (["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(node.tagName)) return true;
    }
    return false;
  }

  const api = {
    findArticleRoot, collectText, collectArticle, collectSelection, readabilityArticle, isHidden,
    BLOCK_SEPARATOR, MIN_ARTICLE_CHARS,
  };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
