/* Sourcewise popup: this page's sourcing profile, label toggles, re-analyse and remove. */
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

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  async function show(state) {
    showError("");
    noArticle.hidden = !(state && state.noArticle);
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
      });
      toggleCell.appendChild(toggle);
      const cells = [row.name, String(row.count), `${Math.round(row.share * 100)}%`].map((text) => {
        const td = document.createElement("td");
        td.textContent = text;
        return td;
      });
      tr.append(toggleCell, ...cells);
      body.appendChild(tr);
    }
    table.hidden = false;
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
  // a streamed answer fills the profile in as it grows (#16)
  chrome.runtime.onMessage.addListener((message) => {
    if (message && message.type === "sourcewise:progress" && message.tabId === tab.id) show(message.state);
  });
  show(await chrome.runtime.sendMessage({ type: "sourcewise:state", tabId: tab.id }));
})();
