/*
 * Sourcewise highlight renderer: wraps analysed sentences in <sourcewise-mark> elements, marks
 * cue words more strongly, shows a tooltip on hover or focus, and removes everything exactly.
 * Used by the extension's content script and by the service's demo page (one file for both).
 * Page text and server data only ever go through textContent, never innerHTML.
 * Every element it makes carries this session's random token (data-sourcewise-owner) and sits in
 * a WeakSet: styles (markStyles) and tooltips apply to those only, never to look-alikes a page wrote.
 */
(function (root) {
  "use strict";
  // loaded twice into one page (manifest + injection): keep the first, its token styles the marks
  if (root.Sourcewise && root.Sourcewise.MARK_TOKEN) return;

  const MARK_TAG = "sourcewise-mark";
  const TOOLTIP_TAG = "sourcewise-tooltip";
  const OWNER_ATTRIBUTE = "data-sourcewise-owner";
  const TOKEN_PLACEHOLDER = "SOURCEWISE-TOKEN";
  const LABEL_NAMES = {
    speculative: "Speculative",
    vague_source: "Vague source",
    unsourced: "Unsourced claim",
    sourced: "Sourced",
  };
  const ALL_LABELS = Object.keys(LABEL_NAMES);
  const MARK_TOKEN = randomToken();
  const owned = new WeakSet();

  /** 32 hex digits from the platform's CSPRNG: what a page would have to guess to style a fake mark. */
  function randomToken() {
    const bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The marks stylesheet (marks.css, a template) keyed on this session's token. */
  function markStyles(template, token = MARK_TOKEN) {
    return template.split(TOKEN_PLACEHOLDER).join(token);
  }

  /** Mark an element as the renderer's own (the demo page's legend), so it is styled like a mark. */
  function own(element) {
    element.setAttribute(OWNER_ATTRIBUTE, MARK_TOKEN);
    owned.add(element);
    return element;
  }

  function isOwn(element) {
    return owned.has(element);
  }

  /** Cut points per text node: where sentence and cue boundaries fall inside it. */
  function piecesFor(segments, sentences) {
    const byNode = new Map();
    const add = (segment, from, to, data) => {
      if (!byNode.has(segment)) byNode.set(segment, []);
      byNode.get(segment).push({ from, to, ...data });
    };
    sentences.forEach((sentence) => {
      const cues = sentence.cues || [];
      for (const segment of segments) {
        const from = Math.max(sentence.start, segment.start);
        const to = Math.min(sentence.end, segment.end);
        if (from >= to) continue;
        // split this sentence piece further at cue boundaries
        const cuts = new Set([from, to]);
        for (const cue of cues) {
          for (const point of [cue.start, cue.end]) if (point > from && point < to) cuts.add(point);
        }
        const points = [...cuts].sort((a, b) => a - b);
        const base = segment.start - (segment.offset || 0); // a segment may start inside its node (a selection)
        for (let i = 0; i + 1 < points.length; i++) {
          const cue = cues.find((c) => c.start <= points[i] && points[i + 1] <= c.end) || null;
          add(segment, points[i] - base, points[i + 1] - base, { sentence, cue });
        }
      }
    });
    return byNode;
  }

  /** The segment's text node is still in the page with the text it had when the text was collected. */
  function isIntact(segment, text) {
    const node = segment.node;
    if (!node || !node.isConnected || !node.parentNode) return false;
    const from = segment.offset || 0; // a segment may cover only part of its node (a selection)
    const to = from + segment.end - segment.start;
    if (segment.offset === undefined ? node.data.length !== to : node.data.length < to) return false;
    return typeof text !== "string" || node.data.slice(from, to) === text.slice(segment.start, segment.end);
  }

  /**
   * Wrap every analysed sentence carrying a shown label. ``segments`` come from collectText,
   * ``result`` is the service's JSON with offsets in UTF-16 units; ``options.text`` (the analysed
   * text) lets it skip text nodes the page changed since. Never throws on nodes that moved or
   * disappeared: those stay unmarked. Returns a handle whose add(sentences) marks more sentences of
   * the same text (a streamed answer's next chunk, #16) and whose remove() takes every mark away.
   */
  function highlight(segments, result, options = {}) {
    const shown = new Set(options.labels || ALL_LABELS);
    const marks = [];
    const done = new Map(); // text node -> { original, parts, marks, pieces } for the nodes marked so far
    const tooltips = [];
    let doc = null;
    let count = 0;

    /** Mark ``pieces`` in one segment's node; returns the node's record, or null when it changed. */
    function markNode(segment, pieces) {
      const original = segment.node;
      const originalData = original.data;
      const record = { original, parts: new Set(), marks: [], pieces };
      pieces.sort((a, b) => b.from - a.from); // right to left keeps earlier offsets valid
      try {
        for (const piece of pieces) {
          if (!originalData.slice(piece.from, piece.to).trim()) continue; // only non-blank text
          let target = original;
          if (piece.to < target.data.length) record.parts.add(target.splitText(piece.to));
          if (piece.from > 0) {
            target = target.splitText(piece.from);
            record.parts.add(target);
          }
          const mark = makeMark(doc, piece, options.sentenceIds);
          target.parentNode.insertBefore(mark, target);
          mark.appendChild(target);
          record.marks.push(mark);
        }
      } catch (error) {
        // the node changed under us after all: leave the rest of it unmarked, keep what is done
      }
      return record;
    }

    /** Undo one node's marks (a later chunk marks it too: it is marked again with all its pieces). */
    function unmarkNode(record) {
      for (const mark of record.marks) {
        unwrap(mark);
        const at = marks.indexOf(mark);
        if (at >= 0) marks.splice(at, 1);
      }
      rejoin(record.original, record.parts);
    }

    function add(sentences) {
      const fresh = [];
      const labelled = sentences
        .map((sentence, i) => ({ ...sentence, index: count + i, labels: sentence.labels.filter((l) => shown.has(l)) }))
        .filter((sentence) => sentence.labels.length);
      count += sentences.length;
      for (const [segment, pieces] of piecesFor(segments, labelled)) {
        const earlier = done.get(segment.node);
        if (earlier) unmarkNode(earlier);
        if (!isIntact(segment, options.text)) continue;
        doc = segment.node.ownerDocument;
        const record = markNode(segment, earlier ? [...earlier.pieces, ...pieces] : pieces);
        done.set(segment.node, record);
        marks.push(...record.marks);
        fresh.push(...record.marks);
      }
      const tooltip = options.tooltips === false ? null : attachTooltips(fresh, options);
      if (tooltip) tooltips.push(tooltip);
      return fresh;
    }

    add(result.sentences);
    return {
      marks,
      add,
      get count() {
        return count; // sentences given so far, labelled or not
      },
      remove() {
        const all = new Set(marks);
        // copies of our marks made by a page that re-rendered its markup carry our token too
        if (doc) for (const copy of doc.querySelectorAll(`${MARK_TAG}[${OWNER_ATTRIBUTE}="${MARK_TOKEN}"]`)) all.add(copy);
        for (const mark of all) unwrap(mark);
        for (const { original, parts } of done.values()) rejoin(original, parts);
        for (const tooltip of tooltips) tooltip.destroy();
        tooltips.length = 0;
        marks.length = 0;
        done.clear();
      },
    };
  }

  function unwrap(mark) {
    const parent = mark.parentNode;
    if (!parent) return;
    while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
    parent.removeChild(mark);
  }

  /** Merge the text nodes we split off back into the original, so node identity and text are exact. */
  function rejoin(original, parts) {
    let next = original.nextSibling;
    while (next && parts.has(next)) {
      const after = next.nextSibling;
      original.data += next.data;
      next.parentNode.removeChild(next);
      next = after;
    }
  }

  function makeMark(doc, piece, sentenceIds) {
    const mark = doc.createElement(MARK_TAG);
    const sentence = piece.sentence;
    mark.setAttribute("data-sourcewise-label", sentence.labels.join(" "));
    mark.setAttribute("data-sourcewise-sentence", String(sentenceIds ? sentenceIds(sentence) : sentence.index));
    if (piece.cue) {
      mark.setAttribute("data-sourcewise-cue", piece.cue.kind);
    }
    mark.setAttribute("tabindex", "0");
    mark._sourcewise = sentence;
    return own(mark);
  }

  /** One tooltip per page, shown on hover or keyboard focus of any mark. */
  function attachTooltips(marks, options) {
    if (!marks.length) return null;
    const doc = marks[0].ownerDocument;
    const host = own(doc.createElement(TOOLTIP_TAG));
    host.setAttribute("role", "tooltip");
    host.hidden = true;
    doc.body.appendChild(host);
    const show = (event) => {
      const mark = event.currentTarget; // listeners sit on our own marks only (a page's copy has none)
      fillTooltip(host, mark._sourcewise);
      host.hidden = false;
      const rect = mark.getBoundingClientRect();
      const view = doc.defaultView;
      host.style.left = `${Math.max(4, Math.min(rect.left, (view.innerWidth || 800) - 340))}px`;
      host.style.top = `${rect.bottom + 6}px`;
    };
    const hide = () => {
      host.hidden = true;
    };
    for (const mark of marks) {
      mark.addEventListener("mouseenter", show);
      mark.addEventListener("focus", show);
      mark.addEventListener("mouseleave", hide);
      mark.addEventListener("blur", hide);
    }
    return {
      element: host,
      destroy() {
        for (const mark of marks) {
          mark.removeEventListener("mouseenter", show);
          mark.removeEventListener("focus", show);
          mark.removeEventListener("mouseleave", hide);
          mark.removeEventListener("blur", hide);
        }
        host.remove();
      },
    };
  }

  function fillTooltip(host, sentence) {
    const doc = host.ownerDocument;
    host.replaceChildren();
    const line = (className, text) => {
      const el = doc.createElement("div");
      el.className = className;
      el.textContent = text;
      host.appendChild(el);
      return el;
    };
    line("sourcewise-tooltip-labels", sentence.labels.map((l) => LABEL_NAMES[l] || l).join(" · "));
    line("sourcewise-tooltip-explanation", sentence.explanation || "");
    const cues = (sentence.cues || []).map((c) => c.text);
    if (cues.length) line("sourcewise-tooltip-cues", `Cue words: ${cues.join(", ")}`);
    if (sentence.source) {
      const kind = sentence.source.kind === "named" ? "named source" : "vague source";
      line("sourcewise-tooltip-source", `Source: ${sentence.source.text} (${kind})`);
    }
  }

  /** Counts and share of sentences per label. */
  function profile(result) {
    const total = result.sentences.length;
    return ALL_LABELS.map((label) => {
      const count = result.sentences.filter((s) => s.labels.includes(label)).length;
      return { label, name: LABEL_NAMES[label], count, share: total ? count / total : 0 };
    });
  }

  const api = {
    highlight, profile, piecesFor, markStyles, own, isOwn, LABEL_NAMES, ALL_LABELS, MARK_TAG, TOOLTIP_TAG, OWNER_ATTRIBUTE, MARK_TOKEN,
  };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
