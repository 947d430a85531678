import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { dump } from "js-yaml";
import { helmIndexDocument } from "@charthouse/catalog";
import type { BuiltHelmIndex, HelmIndexEntryRow } from "@charthouse/db";

const gzipAsync = promisify(gzip);

/**
 * Builds a registry's Helm repository index from its ready versions: the document in both forms
 * (YAML, and JSON, which is valid YAML too), each gzip-compressed once here so every request
 * sends the stored bytes as they are. The ETag is the sha256 of the JSON form.
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
  const json = Buffer.from(JSON.stringify(document), "utf8");
  const yaml = Buffer.from(dump(document, { noRefs: true, lineWidth: -1, sortKeys: false }), "utf8");
  const [jsonGzip, yamlGzip] = await Promise.all([gzipAsync(json, { level: 9 }), gzipAsync(yaml, { level: 9 })]);
  return {
    etag: createHash("sha256").update(json).digest("hex").slice(0, 40),
    versionCount: rows.length,
    yamlGzip,
    jsonGzip,
    yamlBytes: yaml.byteLength,
    jsonBytes: json.byteLength,
    buildMs: Math.round(performance.now() - started),
  };
}
