/*
 * Sourcewise popup: the legend (real marks), this page's sourcing profile with a toggle per label,
 * the flagged sentences by label in page order (click one to go there), next / previous,
 * sensitivity, re-analyse and remove.
 */
(async function () {
  "use strict";
  const SW = globalThis.Sourcewise;
  // ?tab=ID targets a given tab (for tests and debugging); otherwise the active tab.
  const requested = Number(new URLSearchParams(location.search).get("tab"));
  const tab = requested ? { id: requested } : (await chrome.tabs.query({ active: true, currentWindow: true }))[0];
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const table = document.getElementById("profile");
  const noArticle = document.getElementById("no-article");
  const flagged = document.getElementById("flagged");
  const groups = document.getElementById("flagged-groups");
  const sensitivity = document.getElementById("sensitivity");

  // the legend is made of real marks, drawn by the very marks.css the page gets (keyed on this page's token)
  const style = document.createElement("style");
  try {
    style.textContent = SW.markStyles(await (await fetch(chrome.runtime.getURL("src/marks.css"))).text());
  } catch (error) {
    // unstyled swatches still name the labels
  }
  document.head.appendChild(style);
  document.getElementById("legend").appendChild(SW.legend(document));

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  function swatch(label, text) {
    const mark = SW.own(document.createElement(SW.MARK_TAG));
    mark.setAttribute("data-sourcewise-label", label);
    mark.setAttribute("data-sourcewise-legend", "");
    mark.textContent = text;
    return mark;
  }

  /** The page's marked sentences, grouped by label, each group in page order. */
  async function showList() {
    const answer = await chrome.runtime.sendMessage({ type: "sourcewise:list", tabId: tab.id }).catch(() => null);
    const sentences = (answer && answer.sentences) || [];
    groups.replaceChildren();
    for (const label of SW.ALL_LABELS) {
      const members = sentences.filter((s) => s.labels.includes(label));
      if (!members.length) continue;
      const heading = document.createElement("h3");
      heading.append(swatch(label, SW.LABEL_NAMES[label]), document.createTextNode(` ${members.length}`));
      const list = document.createElement("ol");
      list.setAttribute("data-label", label);
      for (const sentence of members) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "flagged-item";
        button.dataset.ref = sentence.ref;
        button.textContent = sentence.excerpt;
        button.title = `${sentence.labels.map((l) => SW.LABEL_NAMES[l]).join(", ")}: ${sentence.text}`;
        button.addEventListener("click", async () => {
          const went = await chrome.runtime.sendMessage({ type: "sourcewise:goto", tabId: tab.id, ref: sentence.ref }).catch(() => null);
          if (!went) showError("That sentence is no longer marked on the page.");
        });
        item.appendChild(button);
        list.appendChild(item);
      }
      groups.append(heading, list);
    }
    flagged.hidden = sentences.length === 0;
  }

  async function show(state) {
    showError("");
    noArticle.hidden = !(state && state.noArticle);
    flagged.hidden = true;
    if (state && state.noArticle) {
      status.textContent = "No article found on this page.";
      table.hidden = true;
      return;
    }
    if (!state) {
      status.textContent = "Not analysed yet.";
      table.hidden = true;
      return;
    }
    if (!state.ok) {
      status.textContent = "Analysis failed.";
      showError(state.message);
      table.hidden = true;
      return;
    }
    const settings = await SW.loadSettings(chrome.storage.sync);
    const labelsLocked = "labels" in (await SW.loadManaged()); // set by the administrator
    const rows = SW.profile(state.result);
    const count = state.result.sentences.length;
    status.textContent = `${count} ${count === 1 ? "sentence" : "sentences"} analysed${state.partial ? " so far…" : "."}`;
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement("tr");
      const toggleCell = document.createElement("td");
      const toggle = document.createElement("input");
      toggle.type = "checkbox";
      toggle.checked = settings.labels.includes(row.label);
      toggle.setAttribute("aria-label", `Show ${row.name}`);
      toggle.dataset.label = row.label;
      toggle.disabled = labelsLocked;
      if (labelsLocked) toggle.title = "Set by your administrator";
      toggle.addEventListener("change", async () => {
        const current = await SW.loadSettings(chrome.storage.sync);
        const labels = new Set(current.labels);
        if (toggle.checked) labels.add(row.label); else labels.delete(row.label);
        await chrome.storage.sync.set({ labels: SW.ALL_LABELS.filter((l) => labels.has(l)) });
        setTimeout(showList, 300); // the page re-renders its marks first
      });
      toggleCell.appendChild(toggle);
      const nameCell = document.createElement("td");
      nameCell.appendChild(swatch(row.label, row.name));
      const cells = [String(row.count), `${Math.round(row.share * 100)}%`].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      });
      tr.append(toggleCell, nameCell, ...cells);
      body.appendChild(tr);
    }
    table.hidden = false;
    await showList();
  }

  async function showSensitivity() {
    const settings = await SW.loadSettings(chrome.storage.sync);
    const locked = "sensitivity" in (await SW.loadManaged());
    sensitivity.replaceChildren(...SW.SENSITIVITIES.map((value) => new Option(SW.SENSITIVITY_NAMES[value], value)));
    sensitivity.value = settings.sensitivity;
    sensitivity.disabled = locked;
    if (locked) sensitivity.title = "Set by your administrator";
  }

  sensitivity.addEventListener("change", async () => {
    await chrome.storage.sync.set({ sensitivity: sensitivity.value }); // a page showing marks is analysed again
  });
  for (const [id, direction] of [["next", 1], ["previous", -1]]) {
    document.getElementById(id).addEventListener("click", () => chrome.runtime.sendMessage({ type: "sourcewise:step", tabId: tab.id, direction }));
  }
  document.getElementById("reanalyse").addEventListener("click", async () => {
    status.textContent = "Analysing…";
    show(await chrome.runtime.sendMessage({ type: "sourcewise:reanalyse", tabId: tab.id }));
  });
  document.getElementById("analyse-selection").addEventListener("click", async () => {
    status.textContent = "Analysing the selection…";
    show(await chrome.runtime.sendMessage({ type: "sourcewise:analyse-selection", tabId: tab.id }));
  });
  document.getElementById("remove").addEventListener("click", async () => {
    await chrome.runtime.sendMessage({ type: "sourcewise:remove", tabId: tab.id });
    show(null);
  });
  await showSensitivity();
  // a streamed answer fills the profile in as it grows (#16)
  chrome.runtime.onMessage.addListener((message) => {
    if (message && message.type === "sourcewise:progress" && message.tabId === tab.id) show(message.state);
  });
  show(await chrome.runtime.sendMessage({ type: "sourcewise:state", tabId: tab.id }));
})();
