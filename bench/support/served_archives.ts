/**
 * Gives every version of a Helm-layout index.yaml a small valid chart archive next to it, so a
 * sync of that index really downloads: each entry's `digest:` and `urls:` are replaced by the
 * generated archive's, everything else of the index is kept line for line (its size and layout
 * are what a sync is measured on).
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { InFlightWindow } from "@charthouse/concurrency";
import { pack } from "tar-stream";

/** What {@link serveArchivesFor} wrote. */
export interface ServedArchives {
  /** The index with every entry pointing at its archive. */
  index: string;
  /** Archives written (one per distinct chart version). */
  archives: number;
  /** Entries that kept their own digest and urls (no name or version to build a chart from). */
  untouched: number;
}

/** A version entry's own field line (`    key: value` or the entry's first `  - key: value`). */
const FIELD = /^(?: {2}- | {4})([A-Za-z][A-Za-z0-9_]*):(.*)$/;
/** Concurrent archive builds: enough to keep zlib and the file writes busy. */
const BUILD_WINDOW = 64;

/**
 * Writes `folder/charts/<n>.tgz` for every distinct chart version of `indexText` (layout as
 * `helm repo index` writes it: chart keys at two spaces, versions as `  - ` items, fields at four
 * spaces) and returns the index rewritten to point at them with their true sha256 digests.
 */
export async function serveArchivesFor(indexText: string, folder: string): Promise<ServedArchives> {
  await mkdir(join(folder, "charts"), { recursive: true });
  const lines = indexText.split("\n");
  const out: string[] = [];
  const archives = new Map<string, { file: string; digest: Promise<string> }>();
  const building = new InFlightWindow(BUILD_WINDOW);
  let untouched = 0;
  let entry: string[] | null = null;

  const closeEntry = async (): Promise<void> => {
    if (entry === null) return;
    const fields = entryFields(entry);
    if (fields.name === undefined || fields.version === undefined) {
      untouched++;
      out.push(...entry);
      entry = null;
      return;
    }
    const key = `${fields.name}\u0000${fields.version}`;
    let archive = archives.get(key);
    if (archive === undefined) {
      const file = `charts/${archives.size}.tgz`;
      const digest = buildArchive(fields.name, fields.version).then(async (bytes) => {
        await writeFile(join(folder, file), bytes);
        return createHash("sha256").update(bytes).digest("hex");
      });
      archive = { file, digest };
      archives.set(key, archive);
      building.add(digest);
      if (!building.hasRoom) await building.room();
    }
    // The digest is filled in once every archive is built (a placeholder keeps the line's place).
    out.push(`  - digest: \u0000${key}`, "    urls:", `    - ${archive.file}`, ...withoutDigestAndUrls(entry));
    entry = null;
  };

  let inEntries = false;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      await closeEntry();
      inEntries = /^entries:\s*$/.test(line);
      out.push(line);
      continue;
    }
    if (!inEntries) {
      out.push(line);
      continue;
    }
    if (line.startsWith("  - ")) {
      await closeEntry();
      entry = [line];
    } else if (/^ {2}\S/.test(line) || entry === null) {
      await closeEntry();
      out.push(line);
    } else {
      entry.push(line);
    }
  }
  await closeEntry();

  const digests = new Map<string, string>();
  for (const [key, archive] of archives) digests.set(key, await archive.digest);
  const index = out
    .map((line) => (line.startsWith("  - digest: \u0000") ? `  - digest: ${digests.get(line.slice("  - digest: \u0000".length))}` : line))
    .join("\n");
  return { index, archives: archives.size, untouched };
}

/** The name and version of one entry, unquoted. */
function entryFields(entry: readonly string[]): { name?: string; version?: string } {
  const fields: { name?: string; version?: string } = {};
  for (const line of entry) {
    const match = FIELD.exec(line);
    if (match === null) continue;
    const key = match[1]!;
    if (key === "name" || key === "version") fields[key] = unquote(match[2]!.trim());
  }
  return fields;
}

/** The entry's lines less its `digest:` line and its `urls:` list, its first line as a plain field. */
function withoutDigestAndUrls(entry: readonly string[]): string[] {
  const kept: string[] = [];
  let inUrls = false;
  for (const [i, original] of entry.entries()) {
    const line = i === 0 ? `    ${original.slice(4)}` : original;
    const field = FIELD.exec(line);
    if (field !== null && (field[1] === "digest" || field[1] === "urls")) {
      inUrls = field[1] === "urls";
      continue;
    }
    if (inUrls && field === null && (line.startsWith("    - ") || /^ {5,}/.test(line))) continue;
    inUrls = false;
    kept.push(line);
  }
  return kept;
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) return JSON.parse(value) as string;
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1).replaceAll("''", "'");
  return value;
}

/** A small valid chart: Chart.yaml, values.yaml, README and one template, gzip level 1. */
async function buildArchive(name: string, version: string): Promise<Buffer> {
  const folder = name.replaceAll("/", "_");
  const files: Array<[string, string]> = [
    [
      `${folder}/Chart.yaml`,
      `apiVersion: v2\nname: ${JSON.stringify(name)}\nversion: ${JSON.stringify(version)}\ndescription: A generated bench chart\ntype: application\n`,
    ],
    [`${folder}/values.yaml`, `replicaCount: 1\nimage:\n  repository: example/${folder}\n  tag: ${JSON.stringify(version)}\n`],
    [`${folder}/README.md`, `# ${name}\n\nVersion ${version}, generated for the cold index bench.\n`],
    [`${folder}/templates/configmap.yaml`, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"],
  ];
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    tar.on("end", resolve);
    tar.on("error", reject);
  });
  for (const [path, content] of files) tar.entry({ name: path, mode: 0o644, mtime: new Date(0) }, content);
  tar.finalize();
  await ended;
  return gzipSync(Buffer.concat(chunks), { level: 1 });
}
