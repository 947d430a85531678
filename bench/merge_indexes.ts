// Builds a Bitnami-scale index for benchmarks by merging real ones (see shared/data/README.md).
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** Merges Helm-layout index.yaml files into one, chart names prefixed `<file stem>--<chart>`. */
export function mergeIndexes(files: readonly string[]): string {
  const parts: string[] = ["apiVersion: v1\nentries:\n"];
  for (const file of files) {
    const stem = basename(file).replace(/\.index\.ya?ml$|\.ya?ml$/, "");
    parts.push(prefixedEntries(readFileSync(file, "utf8"), stem));
  }
  parts.push(`generated: "2026-01-01T00:00:00Z"\n`);
  return parts.join("");
}

/**
 * The lines of a file's `entries:` section with each chart key and each entry's own `name:`
 * prefixed. Assumes the layout `helm repo index` writes: chart keys at two spaces, versions as
 * `  - ` items, an entry's fields at four spaces (deeper `name:` lines belong to maintainers or
 * dependencies and stay as they are).
 */
function prefixedEntries(text: string, stem: string): string {
  const out: string[] = [];
  let inEntries = false;
  for (const line of text.split("\n")) {
    if (/^\S/.test(line)) {
      inEntries = /^entries:\s*$/.test(line);
      continue;
    }
    if (!inEntries) continue;
    const key = /^ {2}([^\s-][^:]*):\s*$/.exec(line);
    if (key !== null) {
      out.push(`  ${stem}--${key[1]}:`);
      continue;
    }
    const name = /^( {2}- | {4})name: (["']?)(.*)\2\s*$/.exec(line);
    if (name !== null) {
      out.push(`${name[1]}name: ${stem}--${name[3]}`);
      continue;
    }
    out.push(line);
  }
  return out.join("\n").replace(/\n*$/, "\n");
}
