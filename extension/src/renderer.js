/*
 * Sourcewise highlight renderer: wraps analysed sentences in <sourcewise-mark> elements, marks
 * cue words more strongly, shows a tooltip on hover or focus, and removes everything exactly.
 * Used by the extension's content script and by the service's demo page (one file for both).
 * Page text and server data only ever go through textContent, never innerHTML.
 */
(function (root) {
  "use strict";

  const MARK_TAG = "sourcewise-mark";
  const TOOLTIP_TAG = "sourcewise-tooltip";
  const LABEL_NAMES = {
    speculative: "Speculative",
    vague_source: "Vague source",
    unsourced: "Unsourced claim",
    sourced: "Sourced",
  };
  const ALL_LABELS = Object.keys(LABEL_NAMES);

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

  /**
   * Wrap every analysed sentence carrying a shown label. ``segments`` come from collectText,
   * ``result`` is the service's JSON with offsets in UTF-16 units. Returns a handle to remove().
   */
  function highlight(segments, result, options = {}) {
    const shown = new Set(options.labels || ALL_LABELS);
    const sentences = result.sentences
      .map((sentence, index) => ({ ...sentence, index, labels: sentence.labels.filter((l) => shown.has(l)) }))
      .filter((sentence) => sentence.labels.length);
    const restorations = [];
    const marks = [];
    for (const [segment, pieces] of piecesFor(segments, sentences)) {
      const original = segment.node;
      const originalData = original.data;
      const created = [];
      pieces.sort((a, b) => b.from - a.from); // right to left keeps earlier offsets valid
      for (const piece of pieces) {
        if (!originalData.slice(piece.from, piece.to).trim()) continue; // only non-blank text
        let target = original;
        if (piece.to < target.data.length) target.splitText(piece.to);
        if (piece.from > 0) {
          target = target.splitText(piece.from);
          created.push(target);
        }
        const mark = makeMark(target.ownerDocument, piece, options.sentenceIds);
        target.parentNode.insertBefore(mark, target);
        mark.appendChild(target);
        marks.push(mark);
      }
      restorations.push({ original, originalData, parent: original.parentNode });
    }
    const tooltip = options.tooltips === false ? null : attachTooltips(marks, options);
    return {
      marks,
      remove() {
        for (const mark of marks) {
          const parent = mark.parentNode;
          if (!parent) continue;
          while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
          parent.removeChild(mark);
        }
        for (const { original, originalData } of restorations) {
          // merge the split pieces back into the original node, so node identity and text are exact
          let next = original.nextSibling;
          while (next && next.nodeType === 3 && original.data.length < originalData.length) {
            const after = next.nextSibling;
            original.data += next.data;
            next.parentNode.removeChild(next);
            next = after;
          }
          original.data = originalData;
        }
        if (tooltip) tooltip.destroy();
        marks.length = 0;
      },
    };
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
    return mark;
  }

  /** One tooltip per page, shown on hover or keyboard focus of any mark. */
  function attachTooltips(marks, options) {
    if (!marks.length) return null;
    const doc = marks[0].ownerDocument;
    const host = doc.createElement(TOOLTIP_TAG);
    host.setAttribute("role", "tooltip");
    host.hidden = true;
    doc.body.appendChild(host);
    const show = (event) => {
      const mark = event.currentTarget;
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

  const api = { highlight, profile, piecesFor, LABEL_NAMES, ALL_LABELS, MARK_TAG, TOOLTIP_TAG };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
