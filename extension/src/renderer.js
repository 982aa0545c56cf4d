/*
 * Sourcewise highlight renderer: wraps analysed sentences in <sourcewise-mark> elements, shows each
 * label in its own channel (marks.css), emphasises only the cue words that carry a label, and gives
 * each marked sentence one Tab stop tied (aria-describedby) to a card with the explanation, Dismiss
 * and "Wrong label…". Also: the page's flagged sentences in page order, next / previous, a legend
 * made of real marks. Used by the extension's content script and by the service's demo page.
 * Page text and server data only ever go through textContent, never innerHTML.
 * Every element it makes carries this session's random token (data-sourcewise-owner) and sits in
 * a WeakSet: styles (markStyles) and cards apply to those only, never to look-alikes a page wrote.
 * highlight() may run more than once on one page (a streamed answer, chunk by chunk): each call adds
 * its sentences to the page's one card and list, and its remove() takes away only its own marks.
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
  /** What each label's mark looks like, for legends read by screen readers and in the options page. */
  const LABEL_LOOKS = {
    speculative: "wavy amber underline",
    vague_source: "dashed purple underline",
    unsourced: "solid red underline",
    sourced: "faint dotted green underline",
  };
  const ALL_LABELS = Object.keys(LABEL_NAMES);
  const DOUBT_LABELS = ["speculative", "vague_source", "unsourced"];
  const MARK_TOKEN = randomToken();
  const TOOLTIP_ID = `sourcewise-card-${MARK_TOKEN}`;
  const DESCRIPTION_ID = `sourcewise-explanation-${MARK_TOKEN}`;
  const HIDE_DELAY_MS = 250;
  const owned = new WeakSet();
  const pages = new WeakMap(); // document → its page state (one card, every marked sentence)
  let nextRef = 1;

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

  /** Mark an element as the renderer's own (a legend swatch), so it is styled like a mark. */
  function own(element) {
    element.setAttribute(OWNER_ATTRIBUTE, MARK_TOKEN);
    owned.add(element);
    return element;
  }

  function isOwn(element) {
    return owned.has(element);
  }

  /**
   * The label a cue carries, when it deserves emphasis; null otherwise. Speculation cues carry
   * "speculative" (a bare "?" question mark does not); the attribution cue of a vague source
   * carries "vague_source"; claim evidence (numbers, dates, "Friday", a named actor) only makes a
   * sentence checkable and carries no label by itself, and neither does text without a letter.
   */
  function cueLabel(cue, labels) {
    if (!cue || !/\p{L}/u.test(cue.text || "")) return null;
    if (cue.kind === "speculation" && cue.type !== "question") return labels.includes("speculative") ? "speculative" : null;
    if (cue.kind === "attribution") return labels.includes("vague_source") ? "vague_source" : null;
    return null;
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

  const inDocumentOrder = (a, b) => (a === b ? 0 : a.compareDocumentPosition(b) & 4 ? -1 : 1); // 4: b follows a

  /** The text of the (up to) two sentences before ``index`` in ``result``: a report's context. */
  function contextOf(result, index) {
    return result.sentences.slice(Math.max(0, index - 2), index).map((s) => s.text).join(" ");
  }

  /**
   * Wrap every analysed sentence carrying a shown label. ``segments`` come from collectText,
   * ``result`` is the service's JSON with offsets in UTF-16 units. Options: ``labels`` (shown),
   * ``text`` (the analysed text: text nodes the page changed since are skipped), ``sentenceIds``,
   * ``tooltips: false``, ``onReport(report)`` (a promise; offers "Wrong label…" when given),
   * ``pageUrl``, ``editMarks(change)`` (runs the renderer's own later DOM changes, e.g. Dismiss).
   * Sentences dismissed earlier in this page view stay unmarked. Never throws on nodes that moved
   * or disappeared: those stay unmarked. Returns a handle whose add(sentences) marks more sentences of
   * the same text (a streamed answer's next chunk, #16), whose count is the sentences given so far and
   * whose remove() takes its marks away.
   */
  function highlight(segments, result, options = {}) {
    const shown = new Set(options.labels || ALL_LABELS);
    let doc = null;
    for (const segment of segments) if (segment.node && segment.node.ownerDocument) doc = segment.node.ownerDocument;
    const page = doc ? pageState(doc) : null;
    const given = { sentences: [] }; // every sentence so far, labelled or not: a report's context
    const marks = [];
    const done = new Map(); // text node → { original, parts, marks, pieces } for the nodes marked so far
    const made = []; // every entry, in the order made

    /** Mark ``pieces`` in one segment's node, filing each mark under its sentence's entry. */
    function markNode(segment, pieces, entries) {
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
          const mark = makeMark(original.ownerDocument, piece, options.sentenceIds);
          target.parentNode.insertBefore(mark, target);
          mark.appendChild(target);
          record.marks.push(mark);
          if (!entries.has(piece.sentence)) {
            entries.set(piece.sentence, piece.sentence.entry || {
              ref: null, sentence: piece.sentence, marks: [], options,
              context: contextOf(given, piece.sentence.index),
            });
            piece.sentence.entry = entries.get(piece.sentence);
          }
          entries.get(piece.sentence).marks.push(mark);
        }
      } catch (error) {
        // the node changed under us after all: leave the rest of it unmarked, keep what is done
      }
      return record;
    }

    /** Undo one node's marks (a later chunk marks it too: it is marked again with all its pieces). */
    function unmarkNode(record) {
      for (const mark of record.marks) {
        const entry = mark._sourcewiseEntry;
        if (entry) entry.marks.splice(entry.marks.indexOf(mark), 1);
        unwrap(mark);
        const at = marks.indexOf(mark);
        if (at >= 0) marks.splice(at, 1);
      }
      rejoin(record.original, record.parts);
    }

    function add(more) {
      const base = given.sentences.length;
      given.sentences.push(...more);
      const sentences = more
        .map((sentence, i) => ({ ...sentence, index: base + i, allLabels: sentence.labels, labels: sentence.labels.filter((l) => shown.has(l)) }))
        .filter((sentence) => sentence.labels.length && !(page && page.dismissed.has(sentence.text)));
      const entries = new Map(); // sentence → its entry (fragments, report context), for the sentences marked now
      for (const [segment, pieces] of piecesFor(segments, sentences)) {
        const earlier = done.get(segment.node);
        if (earlier) unmarkNode(earlier);
        if (!isIntact(segment, options.text)) continue;
        const record = markNode(segment, earlier ? [...earlier.pieces, ...pieces] : pieces, entries);
        done.set(segment.node, record);
        marks.push(...record.marks);
      }
      const touched = [...entries.values()].filter((entry) => entry.marks.length);
      for (const entry of touched) entry.marks.sort(inDocumentOrder);
      const fresh = touched.filter((entry) => entry.ref === null);
      fresh.sort((a, b) => inDocumentOrder(a.marks[0], b.marks[0]));
      for (const entry of fresh) entry.ref = String(nextRef++); // in page order
      for (const entry of touched) {
        entry.handleMarks = marks;
        const first = entry.marks[0];
        first.setAttribute("tabindex", "0"); // one Tab stop per sentence, however many fragments it has
        first.setAttribute("data-sourcewise-first", "");
        if (options.tooltips !== false) first.setAttribute("aria-describedby", DESCRIPTION_ID);
        for (const mark of entry.marks) mark._sourcewiseEntry = entry;
      }
      made.push(...fresh);
      if (page && fresh.length) page.add(fresh, options.tooltips !== false);
      return fresh;
    }

    add(result.sentences);
    return {
      marks,
      add,
      get count() {
        return given.sentences.length; // sentences given so far, labelled or not
      },
      remove() {
        const all = new Set(marks);
        // copies of our marks made by a page that re-rendered its markup carry our token too
        if (doc) for (const copy of doc.querySelectorAll(`${MARK_TAG}[${OWNER_ATTRIBUTE}="${MARK_TOKEN}"]`)) if (!copy._sourcewiseEntry) all.add(copy);
        for (const mark of all) unwrap(mark);
        for (const { original, parts } of done.values()) rejoin(original, parts);
        if (page) page.drop(made);
        marks.length = 0;
        done.clear();
        made.length = 0;
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
      const carried = cueLabel(piece.cue, sentence.labels);
      if (carried) mark.setAttribute("data-sourcewise-emphasis", carried);
    }
    return own(mark);
  }

  // ---- the page's state: one card, every marked sentence, navigation, dismissal ----

  function pageState(doc) {
    if (!pages.has(doc)) pages.set(doc, createPage(doc));
    return pages.get(doc);
  }

  function createPage(doc) {
    const entries = new Set();
    const dismissed = new Set(); // sentence texts dismissed in this page view
    let card = null;
    let current = null; // the entry whose card is shown
    let hideTimer = null;
    let listening = false;

    const ordered = () => [...entries].filter((e) => e.marks[0].isConnected).sort((a, b) => inDocumentOrder(a.marks[0], b.marks[0]));

    function setActive(entry, on) {
      if (!entry) return;
      for (const mark of entry.marks) {
        if (on) mark.setAttribute("data-sourcewise-active", "");
        else mark.removeAttribute("data-sourcewise-active");
      }
    }

    function ensureCard() {
      if (!card) {
        card = createCard(doc, {
          dismiss: () => current && dismiss(current, true),
          close: () => hide(true),
          hover: (inside) => (inside ? cancelHide() : scheduleHide()),
        });
      }
      return card;
    }

    function show(entry, anchor, tooltips = true) {
      cancelHide();
      if (current !== entry) {
        setActive(current, false);
        current = entry;
      }
      setActive(entry, true);
      if (!tooltips || !entry.options || entry.options.tooltips === false) return;
      const host = ensureCard();
      host.fill(entry);
      host.place(anchor || entry.marks[0]);
    }

    function hide(returnFocus = false) {
      cancelHide();
      const was = current;
      const inCard = Boolean(card && card.element.contains(doc.activeElement));
      setActive(current, false);
      current = null;
      if (card) card.hide();
      if (returnFocus && was && inCard && was.marks[0].isConnected) was.marks[0].focus({ preventScroll: true });
    }

    function scheduleHide() {
      cancelHide();
      hideTimer = setTimeout(() => {
        hideTimer = null;
        const focused = doc.activeElement;
        if (card && card.element.contains(focused)) return; // the reader is using the card
        if (current && focused && current.marks.includes(focused)) return; // still focused: keep it
        hide();
      }, HIDE_DELAY_MS);
    }

    function cancelHide() {
      clearTimeout(hideTimer);
      hideTimer = null;
    }

    const onEnter = (event) => show(event.currentTarget._sourcewiseEntry, event.currentTarget);
    const onLeave = () => scheduleHide();
    const onFocus = (event) => show(event.currentTarget._sourcewiseEntry, event.currentTarget);
    const onBlur = (event) => {
      if (card && event.relatedTarget && card.element.contains(event.relatedTarget)) return; // into the card
      scheduleHide();
    };
    const onMarkKey = (event) => {
      const entry = event.currentTarget._sourcewiseEntry;
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key === "Enter" && card && current === entry) {
        event.preventDefault();
        card.focusFirst(); // into the card: Dismiss, Wrong label…
      } else if (event.key === "n" || event.key === "j") {
        event.preventDefault();
        step(1);
      } else if (event.key === "p" || event.key === "k") {
        event.preventDefault();
        step(-1);
      }
    };
    const onClick = (event) => {
      const entry = event.currentTarget._sourcewiseEntry;
      if (doc.activeElement !== entry.marks[0]) entry.marks[0].focus({ preventScroll: true });
    };

    /** Escape closes the card anywhere; Alt+Shift+N / Alt+Shift+P step through the marks (the demo page; the extension also has commands). */
    const onDocumentKey = (event) => {
      if (event.key === "Escape" && current) {
        hide(true);
        return;
      }
      if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyN" || event.code === "KeyP")) {
        if (!entries.size) return;
        event.preventDefault();
        step(event.code === "KeyN" ? 1 : -1);
      }
    };

    function listen(entry, on) {
      const method = on ? "addEventListener" : "removeEventListener";
      for (const mark of entry.marks) {
        mark[method]("mouseenter", onEnter);
        mark[method]("mouseleave", onLeave);
        mark[method]("click", onClick);
      }
      const first = entry.marks[0];
      first[method]("focus", onFocus);
      first[method]("blur", onBlur);
      first[method]("keydown", onMarkKey);
    }

    function add(newEntries, tooltips) {
      for (const entry of newEntries) {
        entries.add(entry);
        if (tooltips) listen(entry, true);
        entry.listened = tooltips;
      }
      if (tooltips) ensureCard();
      if (!listening) {
        doc.addEventListener("keydown", onDocumentKey, true);
        listening = true;
      }
    }

    /** Forget entries (their marks are gone); the card and key listener go with the last one. */
    function drop(gone) {
      for (const entry of gone) {
        if (entry.listened) listen(entry, false);
        entries.delete(entry);
        if (current === entry) hide();
      }
      if (!entries.size) {
        if (card) card.destroy();
        card = null;
        current = null;
        if (listening) doc.removeEventListener("keydown", onDocumentKey, true);
        listening = false;
      }
    }

    /** Take one sentence's marks away for this page view; focus moves on to the next one. */
    function dismiss(entry, moveFocus = false) {
      const list = ordered();
      const at = list.indexOf(entry);
      const following = list[at + 1] || list[at - 1] || null;
      const hadFocus = moveFocus || entry.marks.includes(doc.activeElement) || (card && card.element.contains(doc.activeElement));
      dismissed.add(entry.sentence.text);
      hide();
      const change = () => {
        for (const mark of entry.marks) unwrap(mark);
      };
      if (entry.options && typeof entry.options.editMarks === "function") entry.options.editMarks(change);
      else change();
      const remaining = entry.handleMarks;
      for (const mark of entry.marks) {
        const i = remaining.indexOf(mark);
        if (i >= 0) remaining.splice(i, 1);
      }
      drop([entry]);
      if (hadFocus && following) following.marks[0].focus({ preventScroll: true });
    }

    /** Focus the next (+1) or previous (-1) marked sentence after the focused or shown one, wrapping round. */
    function step(direction) {
      const list = ordered();
      if (!list.length) return null;
      const focused = doc.activeElement && doc.activeElement._sourcewiseEntry;
      const from = list.indexOf(focused && entries.has(focused) ? focused : current);
      const index = from < 0 ? (direction > 0 ? 0 : list.length - 1) : (from + direction + list.length) % list.length;
      return go(list[index], list, index);
    }

    function go(entry, list = ordered(), index = list.indexOf(entry)) {
      const first = entry.marks[0];
      if (first.scrollIntoView) first.scrollIntoView({ block: "center", inline: "nearest" });
      first.focus({ preventScroll: true });
      if (doc.activeElement !== first) show(entry, first); // a page that is not focused still shows the card
      return { ref: entry.ref, index, total: list.length };
    }

    function list() {
      return ordered().map((entry) => ({
        ref: entry.ref, labels: [...entry.sentence.labels], text: entry.sentence.text, excerpt: excerpt(entry.sentence.text),
      }));
    }

    function focusRef(ref) {
      const entry = ordered().find((e) => e.ref === String(ref));
      return entry ? go(entry) : null;
    }

    function dismissRef(ref) {
      const entry = [...entries].find((e) => e.ref === String(ref));
      if (!entry) return false;
      dismiss(entry);
      return true;
    }

    return { add, drop, dismissed, step, list, focusRef, dismissRef, hide, get card() { return card; } };
  }

  function excerpt(text, max = 90) {
    const flat = String(text).replace(/\s+/g, " ").trim();
    return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, "")}…`;
  }

  // ---- the card: explanation, Dismiss, Wrong label… ----

  function element(doc, tag, className, text) {
    const el = doc.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function createCard(doc, actions) {
    const host = own(doc.createElement(TOOLTIP_TAG));
    host.id = TOOLTIP_ID;
    host.hidden = true;
    const description = element(doc, "div", "sourcewise-tooltip-description");
    description.id = DESCRIPTION_ID;
    description.setAttribute("role", "tooltip");
    const buttons = element(doc, "div", "sourcewise-tooltip-actions");
    const dismissButton = element(doc, "button", "sourcewise-dismiss", "Dismiss");
    dismissButton.type = "button";
    dismissButton.title = "Remove this mark from the page (until it is analysed again)";
    const wrongButton = element(doc, "button", "sourcewise-wrong", "Wrong label…");
    wrongButton.type = "button";
    wrongButton.setAttribute("aria-expanded", "false");
    const form = element(doc, "form", "sourcewise-report");
    form.hidden = true;
    const status = element(doc, "div", "sourcewise-report-status");
    status.setAttribute("role", "status");
    buttons.append(dismissButton, wrongButton);
    host.append(description, buttons, form, status);
    doc.body.appendChild(host);
    let entry = null;

    dismissButton.addEventListener("click", () => actions.dismiss());
    wrongButton.addEventListener("click", () => {
      const opening = form.hidden;
      form.hidden = !opening;
      wrongButton.setAttribute("aria-expanded", String(opening));
      status.textContent = "";
      if (opening) {
        fillForm(doc, form, entry);
        const first = form.querySelector("input");
        if (first) first.focus();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const reports = reportsFrom(form, entry);
      if (!reports.length) {
        status.textContent = "Choose the label that is wrong (or the one that is missing).";
        return;
      }
      const send = form.querySelector("button[type=submit]");
      send.disabled = true;
      status.textContent = "Sending…";
      try {
        for (const report of reports) {
          const answer = await entry.options.onReport(report);
          if (!answer || answer.ok === false) throw new Error((answer && answer.message) || "The server did not take the report.");
        }
        form.hidden = true;
        wrongButton.setAttribute("aria-expanded", "false");
        status.textContent = "Thank you: the report was sent.";
        host.setAttribute("data-sourcewise-reported", "");
      } catch (error) {
        status.textContent = `Not sent: ${error && error.message ? error.message : error}`;
      } finally {
        send.disabled = false;
      }
    });
    host.addEventListener("mouseenter", () => actions.hover(true));
    host.addEventListener("mouseleave", () => actions.hover(false));
    host.addEventListener("focusout", (event) => {
      if (!event.relatedTarget || (!host.contains(event.relatedTarget) && !(entry && entry.marks.includes(event.relatedTarget)))) actions.hover(false);
    });

    return {
      element: host,
      fill(next) {
        if (entry !== next) {
          form.hidden = true;
          wrongButton.setAttribute("aria-expanded", "false");
          status.textContent = "";
          host.removeAttribute("data-sourcewise-reported");
        }
        entry = next;
        fillDescription(description, next.sentence);
        wrongButton.hidden = typeof next.options.onReport !== "function";
        host.hidden = false;
      },
      /** Below the fragment, or above it when there is no room below; always inside the window. */
      place(anchor) {
        const view = doc.defaultView;
        const width = view.innerWidth || doc.documentElement.clientWidth || 800;
        const height = view.innerHeight || doc.documentElement.clientHeight || 600;
        const rect = anchor.getBoundingClientRect();
        host.style.left = "0px";
        host.style.top = "0px";
        const box = host.getBoundingClientRect();
        const gap = 6;
        let top = rect.bottom + gap;
        if (top + box.height > height - 4 && rect.top - gap - box.height >= 4) top = rect.top - gap - box.height;
        top = Math.max(4, Math.min(top, height - box.height - 4));
        const left = Math.max(4, Math.min(rect.left, width - box.width - 4));
        host.style.left = `${Math.round(left)}px`;
        host.style.top = `${Math.round(top)}px`;
        host.setAttribute("data-sourcewise-placement", top < rect.top ? "above" : "below");
      },
      focusFirst() {
        dismissButton.focus();
      },
      hide() {
        host.hidden = true;
        form.hidden = true;
        wrongButton.setAttribute("aria-expanded", "false");
      },
      destroy() {
        host.remove();
      },
    };
  }

  function fillDescription(holder, sentence) {
    const doc = holder.ownerDocument;
    holder.replaceChildren();
    const labels = element(doc, "div", "sourcewise-tooltip-labels");
    sentence.labels.forEach((label, i) => {
      if (i) labels.append(doc.createTextNode(" · "));
      const chip = element(doc, "span", "sourcewise-chip", LABEL_NAMES[label] || label);
      chip.setAttribute("data-label", label);
      labels.append(chip);
      const score = sentence.scores && sentence.scores[label];
      if (typeof score === "number") {  // the model's calibrated probability (#15): how sure, not a grade
        const percent = Math.min(99, Math.max(1, Math.round(score * 100)));  // a probability, never a certainty: 1-99 %
        const sure = element(doc, "span", "sourcewise-chip-score", ` ${percent} %`);
        sure.title = "How sure Sourcewise is of this label (its calibrated probability)";
        labels.append(sure);
      }
    });
    holder.append(labels, element(doc, "div", "sourcewise-tooltip-explanation", sentence.explanation || ""));
    const cues = (sentence.cues || []).filter((c) => cueLabel(c, sentence.labels)).map((c) => c.text);
    if (cues.length) holder.append(element(doc, "div", "sourcewise-tooltip-cues", `Cue words: ${cues.join(", ")}`));
    if (sentence.source) {
      const wording = sourceWording(sentence.source);
      const line = element(doc, "div", "sourcewise-tooltip-source");
      line.append(doc.createTextNode("Source: "), element(doc, "span", "sourcewise-source-name", wording.name));
      if (wording.kind) {
        const kind = element(doc, "span", "sourcewise-source-kind", wording.kind);
        kind.setAttribute("data-kind", wording.kind);
        kind.title = SOURCE_KIND_TITLES[wording.kind];
        line.append(doc.createTextNode(" · "), kind);
      }
      holder.append(line);
    }
  }

  /** A pronoun the engine may give as a source, and the pronouns that are the speaker themselves. */
  const PERSONAL_PRONOUNS = new Set(["he", "she", "him", "her", "it", "they", "them", "i", "me", "we", "us", "you"]);
  const SPEAKER_PRONOUNS = new Set(["i", "me", "we", "us", "you"]);
  const RUNNING_TEXT_DETERMINERS = new Set(["The", "A", "An", "This", "These", "Those"]);
  const SOURCE_KIND_TITLES = { named: "The text names this source", vague: "This source names nobody in particular" };

  /** ``“he”``: a pronoun as quoted to a reader, lower case except "I". */
  function quotedPronoun(word) {
    return `“${word.toLowerCase() === "i" ? "I" : word.toLowerCase()}”`;
  }

  /**
   * What a reader is shown as a sentence's source (#17): the referent first, the pronoun after it
   * ("Mr Obama (“he”)"); a pronoun nothing earlier names: "someone named earlier (“he”)"; a noun phrase
   * as running text ("the Institute for the Study of War"). ``kind`` ("named" / "vague") is the quiet
   * suffix, left out where the name already says it.
   */
  function sourceWording(source) {
    const text = String(source.text || "").trim().replace(/\s+/g, " ");
    const kind = source.kind === "named" || source.kind === "vague" ? source.kind : null;
    const word = text.toLowerCase();
    if (PERSONAL_PRONOUNS.has(word)) {
      const refers = String(source.refers_to || "").trim().replace(/\s+/g, " ");
      if (refers) return { name: `${runningText(refers)} (${quotedPronoun(text)})`, kind };
      if (SPEAKER_PRONOUNS.has(word)) return { name: `the speaker (${quotedPronoun(text)})`, kind: null };
      if (kind === "vague") return { name: `people the text does not name (${quotedPronoun(text)})`, kind };
      return { name: `someone named earlier (${quotedPronoun(text)})`, kind: null };
    }
    return { name: runningText(text), kind };
  }

  /** "The governor" → "the governor" inside a line of text (names keep their capitals), as the explanations do. */
  function runningText(phrase) {
    const space = phrase.indexOf(" ");
    return space > 0 && RUNNING_TEXT_DETERMINERS.has(phrase.slice(0, space)) ? phrase[0].toLowerCase() + phrase.slice(1) : phrase;
  }

  /** The "Wrong label…" form: which of the engine's labels is wrong, or which one is missing; what it should be. */
  function fillForm(doc, form, entry) {
    form.replaceChildren();
    const labels = entry.sentence.allLabels || entry.sentence.labels;
    const name = `sourcewise-wrong-${entry.ref}`;
    const which = element(doc, "fieldset", "sourcewise-report-which");
    which.append(element(doc, "legend", "", "Which label is wrong?"));
    const radio = (value, text) => {
      const label = element(doc, "label");
      const input = element(doc, "input");
      input.type = "radio";
      input.name = name;
      input.value = value;
      label.append(input, doc.createTextNode(` ${text}`));
      which.append(label);
    };
    for (const label of labels) radio(label, `${LABEL_NAMES[label] || label} does not fit`);
    radio("", "A label is missing");
    const should = element(doc, "label", "sourcewise-report-should", "It should be: ");
    const select = element(doc, "select");
    const option = (value, text) => {
      const item = element(doc, "option", "", text);
      item.value = value;
      select.append(item);
    };
    option("", "(no other label / not sure)");
    for (const label of ALL_LABELS) if (!labels.includes(label)) option(label, LABEL_NAMES[label]);
    should.append(select);
    const send = element(doc, "button", "sourcewise-report-send", "Send report");
    send.type = "submit";
    const note = element(doc, "div", "sourcewise-report-note", "Sends this sentence, the two before it and the labels to your Sourcewise server.");
    form.append(which, should, send, note);
  }

  /** The POST /feedback bodies the form asks for: the disputed label as wrong, and the reader's label as missing. */
  function reportsFrom(form, entry) {
    const picked = form.querySelector("input[type=radio]:checked");
    const should = form.querySelector("select").value;
    if (!picked) return [];
    const base = {
      sentence: entry.sentence.text, context: entry.context, labels: [...(entry.sentence.allLabels || entry.sentence.labels)],
      url: entry.options.pageUrl || null,
    };
    const reports = [];
    if (picked.value) reports.push({ ...base, label: picked.value, verdict: "wrong" });
    if (should) reports.push({ ...base, label: should, verdict: "missing" });
    return reports;
  }

  // ---- the page's marked sentences, for the popup and the keys ----

  const pageOf = (doc) => pages.get(doc) || null;

  /** The marked sentences of ``doc`` in page order: {ref, labels, text, excerpt}. */
  function sentenceList(doc) {
    const page = pageOf(doc);
    return page ? page.list() : [];
  }

  /** Scroll to the sentence ``ref`` and focus it (its card opens); null when it is not marked. */
  function focusSentence(doc, ref) {
    const page = pageOf(doc);
    return page ? page.focusRef(ref) : null;
  }

  /** Focus the next (direction 1) or previous (-1) marked sentence; {ref, index, total} or null. */
  function step(doc, direction) {
    const page = pageOf(doc);
    return page ? page.step(direction < 0 ? -1 : 1) : null;
  }

  function dismissSentence(doc, ref) {
    const page = pageOf(doc);
    return page ? page.dismissRef(ref) : false;
  }

  /** Forget what was dismissed in this page view (the reader asked for a fresh analysis). */
  function resetDismissed(doc) {
    const page = pageOf(doc);
    if (page) page.dismissed.clear();
  }

  /**
   * A legend of real marks: one own swatch per label (the same element and attributes as a mark, so
   * the same CSS draws it) and one emphasised cue word. Style it with markStyles like the marks.
   */
  function legend(doc, labels = ALL_LABELS) {
    const holder = doc.createElement("span");
    holder.className = "sourcewise-legend";
    const swatch = (label, text, emphasis) => {
      const mark = own(doc.createElement(MARK_TAG));
      mark.setAttribute("data-sourcewise-label", label);
      mark.setAttribute("data-sourcewise-legend", "");
      if (emphasis) mark.setAttribute("data-sourcewise-emphasis", label);
      mark.textContent = text;
      mark.title = emphasis ? "Cue words that carry a label are shaded" : `${LABEL_NAMES[label]}: ${LABEL_LOOKS[label]}`;
      return mark;
    };
    labels.forEach((label, i) => {
      if (i) holder.append(doc.createTextNode(" "));
      holder.append(swatch(label, LABEL_NAMES[label]));
    });
    holder.append(doc.createTextNode(" "));
    const cue = doc.createElement("span");
    cue.className = "sourcewise-legend-cue";
    cue.append(swatch("speculative", "cue words", true));
    holder.append(cue);
    return holder;
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
    highlight, profile, piecesFor, markStyles, own, isOwn, cueLabel, sourceWording, legend, sentenceList, focusSentence, step, dismissSentence, resetDismissed,
    LABEL_NAMES, LABEL_LOOKS, ALL_LABELS, DOUBT_LABELS, MARK_TAG, TOOLTIP_TAG, OWNER_ATTRIBUTE, MARK_TOKEN,
  };
  root.Sourcewise = Object.assign(root.Sourcewise || {}, api);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
