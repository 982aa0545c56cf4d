/* Sourcewise options: server URL, API key, labels, automatic or on-click analysis; administrator-set ones are read-only. */
(async function () {
  "use strict";
  const SW = globalThis.Sourcewise;
  const form = document.getElementById("options");
  const serverUrl = document.getElementById("serverUrl");
  const apiKey = document.getElementById("apiKey");
  const labels = document.getElementById("labels");
  const modes = [...form.querySelectorAll("input[name=mode]")];

  for (const label of SW.ALL_LABELS) {
    const wrapper = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = label;
    wrapper.append(box, document.createTextNode(` ${SW.LABEL_NAMES[label]}`));
    labels.appendChild(wrapper);
  }
  const boxes = [...labels.querySelectorAll("input")];
  const inputsFor = { serverUrl: [serverUrl], apiKey: [apiKey], autoAnalyze: modes, labels: boxes };
  const legend = (input) => input.closest("fieldset").querySelector("legend");
  const noteHolders = { serverUrl: serverUrl.closest("label"), apiKey: apiKey.closest("label"), autoAnalyze: legend(modes[0]), labels: legend(labels) };
  let managed = {};

  /** Show the effective settings; inputs of keys the administrator set are disabled and say so. */
  async function show() {
    managed = await SW.loadManaged();
    const settings = await SW.loadSettings(chrome.storage.sync);
    serverUrl.value = settings.serverUrl;
    apiKey.value = settings.apiKey;
    for (const mode of modes) mode.checked = mode.value === (settings.autoAnalyze ? "auto" : "click");
    for (const box of boxes) box.checked = settings.labels.includes(box.value);
    for (const [key, inputs] of Object.entries(inputsFor)) {
      const locked = key in managed;
      for (const input of inputs) {
        input.disabled = locked;
        input.closest("label").classList.toggle("managed", locked);
      }
      const holder = noteHolders[key];
      const badge = holder.querySelector(".managed-badge");
      if (locked && !badge) {
        const note = document.createElement("span");
        note.className = "managed-badge";
        note.textContent = "(set by your administrator)";
        holder.insertBefore(note, holder.querySelector("input"));
      } else if (!locked && badge) {
        badge.remove();
      }
    }
    document.getElementById("managed-note").hidden = Object.keys(managed).length === 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const autoAnalyze = form.querySelector("input[name=mode]:checked").value === "auto";
    if (autoAnalyze) {
      // also when the administrator set automatic mode: only the reader can grant this permission;
      // without it, automatic mode works on 127.0.0.1 and localhost pages only (no prompt once granted)
      await chrome.permissions.request({ origins: ["<all_urls>"] }).catch(() => false);
    }
    const values = {
      serverUrl: serverUrl.value.trim(),
      apiKey: apiKey.value.trim(),
      labels: boxes.filter((box) => box.checked).map((box) => box.value),
      autoAnalyze,
    };
    for (const key of Object.keys(managed)) delete values[key]; // the reader's own values only
    await chrome.storage.sync.set(values);
    document.getElementById("saved").textContent = "Saved.";
  });

  chrome.storage.onChanged.addListener((_changes, area) => {
    if (area === "managed") show(); // the administrator changed a policy: show it at once
  });
  await show();
})();
