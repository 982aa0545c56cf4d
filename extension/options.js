/* Sourcewise options: server URL, API key, labels (with their real swatches), sensitivity, automatic or on-click analysis; administrator-set ones are read-only. */
(async function () {
  "use strict";
  const SW = globalThis.Sourcewise;
  const form = document.getElementById("options");
  const serverUrl = document.getElementById("serverUrl");
  const apiKey = document.getElementById("apiKey");
  const labels = document.getElementById("labels");
  const sensitivity = document.getElementById("sensitivity");
  const modes = [...form.querySelectorAll("input[name=mode]")];

  // the swatches are real marks, drawn by the very marks.css the pages get
  const style = document.createElement("style");
  try {
    style.textContent = SW.markStyles(await (await fetch(chrome.runtime.getURL("src/marks.css"))).text());
  } catch (error) {
    // unstyled swatches still name the labels
  }
  document.head.appendChild(style);
  const swatchSet = SW.legend(document);
  const swatches = [...swatchSet.querySelectorAll(SW.MARK_TAG)];
  for (const label of SW.ALL_LABELS) {
    const wrapper = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = label;
    const look = document.createElement("span");
    look.className = "look";
    look.textContent = ` (${SW.LABEL_LOOKS[label]})`;
    wrapper.append(box, document.createTextNode(" "), swatches.find((m) => m.getAttribute("data-sourcewise-label") === label && !m.hasAttribute("data-sourcewise-emphasis")), look);
    labels.appendChild(wrapper);
  }
  document.getElementById("cue-swatch").appendChild(swatchSet.querySelector(".sourcewise-legend-cue"));
  for (const value of SW.SENSITIVITIES) sensitivity.appendChild(new Option(SW.SENSITIVITY_NAMES[value], value));
  const boxes = [...labels.querySelectorAll("input")];
  const inputsFor = { serverUrl: [serverUrl], apiKey: [apiKey], autoAnalyze: modes, labels: boxes, sensitivity: [sensitivity] };
  const legend = (input) => input.closest("fieldset").querySelector("legend");
  const noteHolders = { serverUrl: serverUrl.closest("label"), apiKey: apiKey.closest("label"), autoAnalyze: legend(modes[0]), labels: legend(labels),
    sensitivity: legend(sensitivity) };
  let managed = {};

  /** Show the effective settings; inputs of keys the administrator set are disabled and say so. */
  async function show() {
    managed = await SW.loadManaged();
    const settings = await SW.loadSettings(chrome.storage.sync);
    serverUrl.value = settings.serverUrl;
    apiKey.value = settings.apiKey;
    for (const mode of modes) mode.checked = mode.value === (settings.autoAnalyze ? "auto" : "click");
    for (const box of boxes) box.checked = settings.labels.includes(box.value);
    sensitivity.value = settings.sensitivity;
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
      sensitivity: sensitivity.value,
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
