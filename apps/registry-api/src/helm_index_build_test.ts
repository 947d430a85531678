import { gunzipSync } from "node:zlib";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { buildHelmIndex } from "./helm_index_build.ts";

const row = (chart: string, version: string, chartYaml: Record<string, unknown> = {}) => ({
  chart,
  version,
  chart_yaml: { apiVersion: "v2", ...chartYaml },
  created: "2026-01-02T03:04:05Z",
  discovered_at: new Date("2026-01-01T00:00:00Z"),
  archive_sha256: "ab".repeat(32),
});

describe("buildHelmIndex()", () => {
  it("stores the same index as YAML and as JSON, gzip-compressed, with sizes and version count", async () => {
    const built = await buildHelmIndex([
      row("web", "1.0.0", { description: "line one\n\nline three\n", annotations: { "x/y": "0.10" } }),
      row("web", "1.10", { appVersion: "1.0" }),
      row("db", "0.1.0", { keywords: ["yes", "null"] }),
    ]);
    const yaml = gunzipSync(built.yamlGzip).toString("utf8");
    const json = gunzipSync(built.jsonGzip).toString("utf8");
    expect(load(yaml)).toEqual(JSON.parse(json));
    expect(built).toMatchObject({ versionCount: 3, yamlBytes: Buffer.byteLength(yaml), jsonBytes: Buffer.byteLength(json) });
    expect((JSON.parse(json) as { entries: Record<string, { version: string }[]> }).entries["web"]?.map((e) => e.version)).toEqual(["1.10", "1.0.0"]);
  });

  it("gives the same ETag for the same versions, and another when they change", async () => {
    const a = await buildHelmIndex([row("web", "1.0.0")]);
    expect((await buildHelmIndex([row("web", "1.0.0")])).etag).toBe(a.etag);
    expect((await buildHelmIndex([row("web", "1.0.1")])).etag).not.toBe(a.etag);
  });
});
