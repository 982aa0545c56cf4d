// Build the Firefox variant into dist/firefox: the same files, a manifest with an event-page background.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "firefox");
const FILES = ["background.js", "content.js", "popup.html", "popup.js", "popup.css", "options.html", "options.js", "managed_schema.json", "src", "icons"];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const file of FILES) cpSync(join(root, file), join(out, file), { recursive: true });

const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"));
manifest.background = { scripts: ["src/settings.js", "background.js"] };
manifest.browser_specific_settings = {
  gecko: {
    id: "sourcewise@sourcewise.example",
    strict_min_version: "128.0",
    // the article text goes to the configured Sourcewise server
    data_collection_permissions: { required: ["websiteContent"] },
  },
};
writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`Firefox build written to ${out}`);
