import { createHash } from "node:crypto";
import { once } from "node:events";
import { createGzip, type Gzip } from "node:zlib";
import { helmChartEntries, helmIndexEpoch, laterCreated, type HelmIndexSource } from "@charthouse/catalog";
import type { BuiltHelmIndex, HelmIndexEntryPages, HelmIndexEntryRow } from "@charthouse/db";

/**
 * Builds a registry's Helm repository index from its ready versions, read page by page: each
 * chart is written as soon as its page arrives into two gzip streams at once, the YAML form and
 * the JSON form (which is valid YAML too), so the build holds one page and the compressed bytes,
 * never the whole index. Every request then sends the stored bytes as they are. The ETag is the
 * sha256 of the JSON form, hashed as it is written.
 */
export async function buildHelmIndex(pages: HelmIndexEntryPages): Promise<BuiltHelmIndex> {
  const started = performance.now();
  const json = new GzipSink();
  const yaml = new GzipSink();
  const hash = createHash("sha256");
  const writeJson = async (text: string): Promise<void> => {
    hash.update(text, "utf8");
    await json.write(text);
  };
  await writeJson('{"apiVersion":"v1","entries":{');
  await yaml.write("apiVersion: v1\nentries:\n");
  let generated = helmIndexEpoch;
  let versionCount = 0;
  let previous: string | null = null;
  for await (const page of pages) {
    for (const [chart, sources] of chartsOf(page)) {
      if (previous !== null && chart <= previous) throw new Error(`The Helm index pages are out of order: "${chart}" came after "${previous}"`);
      const entries = helmChartEntries(sources).map((entry) => {
        generated = laterCreated(generated, entry.created);
        return JSON.stringify(entry);
      });
      const name = JSON.stringify(chart);
      await writeJson(`${previous === null ? "" : ","}${name}:[${entries.join(",")}]`);
      // Block YAML down to each version, which is one JSON object (a YAML flow mapping) per line:
      // the layout helm writes, at the cost of one JSON.stringify per version.
      await yaml.write(`  ${name}:\n${entries.map((entry) => `  - ${entry}\n`).join("")}`);
      previous = chart;
      versionCount += entries.length;
    }
  }
  await writeJson(`},"generated":${JSON.stringify(generated)}}`);
  await yaml.write(`generated: ${JSON.stringify(generated)}\n`);
  const [jsonGzip, yamlGzip] = await Promise.all([json.finish(), yaml.finish()]);
  return {
    etag: hash.digest("hex").slice(0, 40),
    versionCount,
    yamlGzip,
    jsonGzip,
    yamlBytes: yaml.bytes,
    jsonBytes: json.bytes,
    buildMs: Math.round(performance.now() - started),
  };
}

/** A page's rows as sources, chart by chart, in the page's order. */
function chartsOf(page: readonly HelmIndexEntryRow[]): Map<string, HelmIndexSource[]> {
  const charts = new Map<string, HelmIndexSource[]>();
  for (const row of page) {
    const source: HelmIndexSource = {
      chart: row.chart,
      version: row.version,
      chartYaml: row.chart_yaml,
      created: row.created,
      discoveredAt: row.discovered_at,
      archiveSha256: row.archive_sha256,
    };
    const list = charts.get(row.chart);
    if (list) list.push(source);
    else charts.set(row.chart, [source]);
  }
  return charts;
}

/** Text gzip-compressed as it is written, with backpressure; keeps only the compressed bytes. */
class GzipSink {
  readonly #gzip: Gzip = createGzip({ level: 6 });
  readonly #chunks: Buffer[] = [];
  /** Uncompressed bytes written so far. */
  bytes = 0;

  constructor() {
    this.#gzip.on("data", (chunk: Buffer) => this.#chunks.push(chunk));
  }

  async write(text: string): Promise<void> {
    this.bytes += Buffer.byteLength(text, "utf8");
    if (!this.#gzip.write(text)) await once(this.#gzip, "drain");
  }

  async finish(): Promise<Buffer> {
    const ended = once(this.#gzip, "end");
    this.#gzip.end();
    await ended;
    return Buffer.concat(this.#chunks);
  }
}
