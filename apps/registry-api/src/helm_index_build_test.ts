import { gunzipSync } from "node:zlib";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { helmIndexDocument } from "@charthouse/catalog";
import type { HelmIndexEntryRow } from "@charthouse/db";
import { buildHelmIndex } from "./helm_index_build.ts";

/** Rows as the repository pages them. */
async function* pagesOf(...pages: HelmIndexEntryRow[][]): AsyncGenerator<HelmIndexEntryRow[]> {
  for (const page of pages) yield await Promise.resolve(page);
}

const row = (chart: string, version: string, chartYaml: Record<string, unknown> = {}, created = "2026-01-02T03:04:05Z"): HelmIndexEntryRow => ({
  chart,
  version,
  chart_yaml: { apiVersion: "v2", ...chartYaml },
  created,
  discovered_at: new Date("2026-01-01T00:00:00Z"),
  archive_sha256: "ab".repeat(32),
});

describe("buildHelmIndex()", () => {
  it("stores the same index as YAML and as JSON, gzip-compressed, with sizes and version count", async () => {
    const built = await buildHelmIndex(
      pagesOf(
        [row("db", "0.1.0", { keywords: ["yes", "null"] })],
        [row("web", "1.0.0", { description: "line one\n\nline three\n", annotations: { "x/y": "0.10" } }), row("web", "1.10", { appVersion: "1.0" })],
      ),
    );
    const yaml = gunzipSync(built.yamlGzip).toString("utf8");
    const json = gunzipSync(built.jsonGzip).toString("utf8");
    expect(load(yaml)).toEqual(JSON.parse(json));
    expect(built).toMatchObject({ versionCount: 3, yamlBytes: Buffer.byteLength(yaml), jsonBytes: Buffer.byteLength(json) });
    expect((JSON.parse(json) as { entries: Record<string, { version: string }[]> }).entries["web"]?.map((e) => e.version)).toEqual(["1.10", "1.0.0"]);
  });

  it("gives the same ETag for the same versions, and another when they change", async () => {
    const a = await buildHelmIndex(pagesOf([row("web", "1.0.0")]));
    expect((await buildHelmIndex(pagesOf([row("web", "1.0.0")]))).etag).toBe(a.etag);
    expect((await buildHelmIndex(pagesOf([row("web", "1.0.1")]))).etag).not.toBe(a.etag);
  });

  it("writes, page by page, the very bytes of the whole document, with its newest created as generated", async () => {
    const rows = [
      row("Zeta", "1.0.0"),
      row("a-b", "0.9.0", {}, "2026-03-01T00:00:00Z"),
      row("a-b", "0.10.0"),
      row("ab", "2.0.0", { maintainers: [{ name: "x" }] }),
      row("web", "1.0.0"),
      row("web", "1.0.1-rc.1", {}, "2025-01-01T00:00:00Z"),
    ];
    const built = await buildHelmIndex(pagesOf(rows.slice(0, 1), rows.slice(1, 4), [], rows.slice(4)));
    const document = helmIndexDocument(
      rows.map((r) => ({ chart: r.chart, version: r.version, chartYaml: r.chart_yaml, created: r.created, discoveredAt: r.discovered_at, archiveSha256: r.archive_sha256 })),
    );
    const json = gunzipSync(built.jsonGzip).toString("utf8");
    expect(json).toBe(JSON.stringify(document));
    expect(document.generated).toBe("2026-03-01T00:00:00Z");
    expect(load(gunzipSync(built.yamlGzip).toString("utf8"))).toEqual(document);
    expect(built.versionCount).toBe(6);
  });

  it("lists nothing for a registry without ready versions", async () => {
    const built = await buildHelmIndex(pagesOf());
    expect(JSON.parse(gunzipSync(built.jsonGzip).toString("utf8"))).toEqual({ apiVersion: "v1", entries: {}, generated: "1970-01-01T00:00:00Z" });
    expect(built.versionCount).toBe(0);
  });

  it("refuses pages whose charts are out of order, rather than write a chart twice", async () => {
    await expect(buildHelmIndex(pagesOf([row("web", "1.0.0")], [row("db", "1.0.0")]))).rejects.toThrow(/out of order/);
  });
});
