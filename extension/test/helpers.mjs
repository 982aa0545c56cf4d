// Load the extension's classic scripts into a jsdom window, as a browser would.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export function pageWith(html) {
  const dom = new JSDOM(`<!doctype html><html><body>${html}</body></html>`, { runScripts: "outside-only", pretendToBeVisual: true });
  for (const file of ["src/article.js", "src/renderer.js"]) {
    dom.window.eval(readFileSync(join(root, file), "utf8"));
  }
  return { window: dom.window, document: dom.window.document, SW: dom.window.Sourcewise };
}

/** A result like the service's, with spans found by searching the collected text (UTF-16 indices). */
export function resultFor(text, sentences) {
  return {
    offsets: "utf16",
    sentences: sentences.map(({ sentence, labels, cues = [], source = null }) => {
      const start = text.indexOf(sentence);
      if (start < 0) throw new Error(`not in text: ${sentence}`);
      return {
        start, end: start + sentence.length, text: sentence, labels, explanation: `why: ${labels.join(",")}`,
        cues: cues.map((cue) => {
          const at = text.indexOf(cue, start);
          return { start: at, end: at + cue.length, text: cue, kind: "speculation", type: "epistemic" };
        }),
        source,
      };
    }),
  };
}
