import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { helmIndexDocument, type HelmIndexDocument } from "@charthouse/catalog";
import type { BuiltHelmIndex, HelmIndexEntryRow } from "@charthouse/db";

const gzipAsync = promisify(gzip);

/**
 * Builds a registry's Helm repository index from its ready versions: the document in both forms
 * (YAML, and JSON, which is valid YAML too), each gzip-compressed once here so every request
 * sends the stored bytes as they are. The ETag is the sha256 of the JSON form. One form is
 * made and compressed after the other, so a large index is not held three times at once.
 */
export async function buildHelmIndex(rows: readonly HelmIndexEntryRow[]): Promise<BuiltHelmIndex> {
  const started = performance.now();
  const document = helmIndexDocument(
    rows.map((row) => ({
      chart: row.chart,
      version: row.version,
      chartYaml: row.chart_yaml,
      created: row.created,
      discoveredAt: row.discovered_at,
      archiveSha256: row.archive_sha256,
    })),
  );
  const json = JSON.stringify(document);
  const jsonBytes = Buffer.byteLength(json, "utf8");
  const etag = createHash("sha256").update(json, "utf8").digest("hex").slice(0, 40);
  const jsonGzip = await gzipAsync(json, { level: 6 });
  const yaml = yamlText(document);
  const yamlBytes = Buffer.byteLength(yaml, "utf8");
  const yamlGzip = await gzipAsync(yaml, { level: 6 });
  return { etag, versionCount: rows.length, yamlGzip, jsonGzip, yamlBytes, jsonBytes, buildMs: Math.round(performance.now() - started) };
}

/**
 * index.yaml's text: block YAML down to each version, which is one JSON object (a YAML flow
 * mapping) per line. It reads as the layout helm writes, and costs one JSON.stringify per
 * version instead of a YAML emitter's several copies of the whole document.
 */
function yamlText(document: HelmIndexDocument): string {
  const parts = ["apiVersion: v1\nentries:\n"];
  for (const [name, versions] of Object.entries(document.entries)) {
    parts.push(`  ${JSON.stringify(name)}:\n`);
    for (const version of versions) parts.push(`  - ${JSON.stringify(version)}\n`);
  }
  parts.push(`generated: ${JSON.stringify(document.generated)}\n`);
  return parts.join("");
}
