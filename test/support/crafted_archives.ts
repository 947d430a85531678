import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import { pack } from "tar-stream";

/** One tar entry of a crafted archive. */
export interface CraftedEntry {
  /** The name exactly as written into the tar header (`../evil`, `/etc/evil` included). */
  name: string;
  type?: "file" | "symlink";
  /** The target of a symlink. */
  linkname?: string;
  content?: string | Buffer;
}

/**
 * A .tgz written entry by entry with tar-stream and node:zlib, with no sanitising of names:
 * what a hostile registry can serve. Entries are written one after the other with backpressure,
 * so a large entry list that reuses one Buffer (a gzip bomb) never sits in memory decompressed.
 */
export async function craftTgz(entries: readonly CraftedEntry[]): Promise<Buffer> {
  const tar = pack();
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on("end", resolve);
    gzip.on("error", reject);
    tar.on("error", reject);
  });
  tar.pipe(gzip);
  for (const entry of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (entry.type === "symlink") {
        tar.entry({ name: entry.name, type: "symlink", linkname: entry.linkname ?? "", mode: 0o777 }, done);
      } else {
        const body = typeof entry.content === "string" ? Buffer.from(entry.content) : (entry.content ?? Buffer.alloc(0));
        tar.entry({ name: entry.name, size: body.byteLength, mode: 0o644 }, body, done);
      }
    });
  }
  tar.finalize();
  await finished;
  return Buffer.concat(chunks);
}

/** The minimal Chart.yaml of chart `name` at `version`. */
export function chartYaml(name: string, version: string, extra = ""): string {
  return `apiVersion: v2\nname: ${name}\nversion: ${version}\ndescription: A crafted chart\ntype: application\n${extra}`;
}

/** sha256 hex of some bytes, as an index publishes it. */
export function sha256Hex(bytes: Buffer | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** An index entry for an archive served next to index.yaml. */
export function indexEntry(name: string, version: string, archive: Buffer, fields: Record<string, string> = {}): string {
  const extra = Object.entries(fields)
    .map(([key, value]) => `    ${key}: ${value}\n`)
    .join("");
  return (
    `  - apiVersion: v2\n    name: ${JSON.stringify(name)}\n    version: ${JSON.stringify(version)}\n` +
    `    digest: ${sha256Hex(archive)}\n    urls:\n    - ${JSON.stringify(`${name.replaceAll("/", "_")}-${version}.tgz`)}\n${extra}`
  );
}
