import { describe, expect, it } from "vitest";
import { helmArchivePath, helmIndexDocument, type HelmIndexSource } from "./helm_index_document.ts";

const discoveredAt = new Date("2026-01-02T03:04:05.000Z");

function source(chart: string, version: string, extra: Partial<HelmIndexSource> = {}): HelmIndexSource {
  return { chart, version, chartYaml: { apiVersion: "v2", name: chart, version }, created: null, discoveredAt, archiveSha256: "ab".repeat(32), ...extra };
}

describe("helmIndexDocument()", () => {
  it("lists charts by name, versions newest first, with digest, created and a relative url", () => {
    const doc = helmIndexDocument([source("web", "1.0.0"), source("api", "0.1.0"), source("web", "1.10.0", { created: "2026-02-01T00:00:00Z" })]);
    expect(Object.keys(doc.entries)).toEqual(["api", "web"]);
    expect(doc.entries["web"]?.map((e) => e.version)).toEqual(["1.10.0", "1.0.0"]);
    expect(doc.entries["web"]?.[1]).toEqual({
      apiVersion: "v2",
      name: "web",
      version: "1.0.0",
      created: "2026-01-02T03:04:05.000Z",
      digest: "ab".repeat(32),
      urls: ["charts/web-1.0.0.tgz"],
    });
    expect(doc.generated).toBe("2026-02-01T00:00:00Z");
  });

  it("keeps the Chart.yaml fields helm reads and drops those of the wrong type", () => {
    const chartYaml = {
      apiVersion: "v2",
      appVersion: "2.3",
      description: "A web app",
      keywords: ["web", 3],
      home: "https://example.com",
      sources: "https://not-a-list",
      icon: "https://example.com/i.png",
      maintainers: [{ name: "Ann", email: "a@example.com", extra: 1 }, "bob"],
      dependencies: [{ name: "redis", version: "1.x", repository: "https://r", enabled: "yes", tags: ["cache"] }],
      annotations: { "a": "b", "n": 1 },
      deprecated: true,
      kubeVersion: ">=1.25",
      type: "application",
      templates: ["not", "index", "data"],
    };
    const [entry] = helmIndexDocument([source("web", "1.0.0", { chartYaml })]).entries["web"] ?? [];
    expect(entry).toMatchObject({
      appVersion: "2.3",
      description: "A web app",
      keywords: ["web"],
      home: "https://example.com",
      icon: "https://example.com/i.png",
      maintainers: [{ name: "Ann", email: "a@example.com" }],
      dependencies: [{ name: "redis", version: "1.x", repository: "https://r", tags: ["cache"] }],
      annotations: { a: "b" },
      deprecated: true,
      kubeVersion: ">=1.25",
      type: "application",
    });
    expect(entry).not.toHaveProperty("sources");
    expect(entry).not.toHaveProperty("templates");
  });

  it("uses when the version was discovered for a created helm could not parse", () => {
    const [entry] = helmIndexDocument([source("web", "1.0.0", { created: "yesterday", chartYaml: null })]).entries["web"] ?? [];
    expect(entry?.created).toBe("2026-01-02T03:04:05.000Z");
    expect(entry?.apiVersion).toBe("v1");
  });

  it("gives the same document for the same versions in any order", () => {
    const a = helmIndexDocument([source("web", "1.0.0"), source("web", "2.0.0")]);
    const b = helmIndexDocument([source("web", "2.0.0"), source("web", "1.0.0")]);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe("helmArchivePath()", () => {
  it("escapes what a URL path cannot hold", () => {
    expect(helmArchivePath("web", "1.2.0+build.5")).toBe("charts/web-1.2.0%2Bbuild.5.tgz");
  });
});
