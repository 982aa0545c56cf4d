// Read JSON lines {"text"} on stdin, write {"flags": [...]} per line: what write-good flags.
const writeGood = require("write-good");
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
for (const line of lines) {
  const { text } = JSON.parse(line);
  const flags = writeGood(text).map((s) => ({ index: s.index, offset: s.offset, reason: s.reason }));
  process.stdout.write(JSON.stringify({ flags }) + "\n");
}
