/* Sourcewise options: server URL, API key, labels, automatic or on-click analysis. */
(async function () {
  "use strict";
  const SW = globalThis.Sourcewise;
  const form = document.getElementById("options");
  const settings = await SW.loadSettings(chrome.storage.sync);
  document.getElementById("serverUrl").value = settings.serverUrl;
  document.getElementById("apiKey").value = settings.apiKey;
  form.querySelector(`input[name=mode][value=${settings.autoAnalyze ? "auto" : "click"}]`).checked = true;
  const labels = document.getElementById("labels");
  for (const label of SW.ALL_LABELS) {
    const wrapper = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = label;
    box.checked = settings.labels.includes(label);
    wrapper.append(box, document.createTextNode(` ${SW.LABEL_NAMES[label]}`));
    labels.appendChild(wrapper);
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const autoAnalyze = form.querySelector("input[name=mode]:checked").value === "auto";
    if (autoAnalyze) {
      // optional: without it, automatic mode still works on 127.0.0.1 and localhost pages
      await chrome.permissions.request({ origins: ["<all_urls>"] }).catch(() => false);
    }
    await chrome.storage.sync.set({
      serverUrl: document.getElementById("serverUrl").value.trim(),
      apiKey: document.getElementById("apiKey").value.trim(),
      labels: [...labels.querySelectorAll("input:checked")].map((box) => box.value),
      autoAnalyze,
    });
    document.getElementById("saved").textContent = "Saved.";
  });
})();
