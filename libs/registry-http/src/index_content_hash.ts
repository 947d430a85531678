import { createHash } from "node:crypto";

const NL = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
/** Top-level sections that ChartMuseum and Nexus regenerate on every request. */
const VOLATILE_SECTION = /^(?:generated|serverInfo)[ \t]*:/;

/**
 * sha256 (hex) of an index body, ignoring its top-level `generated:` and `serverInfo:`
 * sections, so "same content, new timestamp" is recognised without parsing. JSON bodies are
 * hashed whole.
 */
export function indexContentHash(body: Uint8Array): string {
  const hash = createHash("sha256");
  const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
  let first = start;
  while (first < body.length && (body[first] === SPACE || body[first] === NL || body[first] === CR || body[first] === TAB)) first++;
  if (body[first] === 0x7b /* { */ || body[first] === 0x5b /* [ */) return hash.update(body).digest("hex");

  const decoder = new TextDecoder();
  let skipping = false;
  let keptFrom = 0;
  let pos = start;
  while (pos < body.length) {
    let eol = body.indexOf(NL, pos);
    eol = eol === -1 ? body.length : eol + 1;
    const b0 = body[pos] as number;
    // A line at column 0 that is not blank or a comment starts a new top-level section.
    if (b0 !== SPACE && b0 !== TAB && b0 !== NL && b0 !== CR && b0 !== HASH) {
      const volatile = VOLATILE_SECTION.test(decoder.decode(body.subarray(pos, Math.min(eol, pos + 32))));
      if (volatile && !skipping) {
        hash.update(body.subarray(keptFrom, pos));
        skipping = true;
      } else if (!volatile && skipping) {
        keptFrom = pos;
        skipping = false;
      }
    }
    pos = eol;
  }
  if (!skipping) hash.update(body.subarray(keptFrom));
  return hash.digest("hex");
}
