import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { indexContentHash } from "./index_content_hash.ts";

const DATA = new URL("../../../../shared/data/", import.meta.url);
const real = readFileSync(new URL("indexes/argo-helm.index.yaml", DATA), "utf8");
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("indexContentHash()", () => {
  it("ignores a new generated timestamp", () => {
    const regenerated = real.replace(/^generated: .*$/m, 'generated: "2030-01-01T00:00:00Z"');
    expect(regenerated).not.toBe(real);
    expect(indexContentHash(bytes(regenerated))).toBe(indexContentHash(bytes(real)));
  });

  it("changes when one digest changes", () => {
    const digest = /digest: ([0-9a-f]{64})/.exec(real)?.[1] ?? "";
    const changed = real.replace(digest, digest.replace(/^./, (c) => (c === "0" ? "1" : "0")));
    expect(indexContentHash(bytes(changed))).not.toBe(indexContentHash(bytes(real)));
  });

  it("ignores ChartMuseum's serverInfo and a generated section anywhere at the top level", () => {
    const a = "serverInfo:\n  contextPath: /v1/helm\napiVersion: v1\ngenerated: one\nentries:\n  a: []\n";
    const b = "serverInfo:\n  contextPath: /v2/other\napiVersion: v1\ngenerated: two\nentries:\n  a: []\n";
    expect(indexContentHash(bytes(a))).toBe(indexContentHash(bytes(b)));
    expect(indexContentHash(bytes(a))).not.toBe(indexContentHash(bytes(a.replace("a: []", "b: []"))));
  });

  it("does not ignore a chart or field named generated below the top level", () => {
    const a = "apiVersion: v1\nentries:\n  generated:\n  - version: 1.0.0\n";
    expect(indexContentHash(bytes(a))).not.toBe(indexContentHash(bytes(a.replace("1.0.0", "1.0.1"))));
  });

  it("hashes JSON bodies whole", () => {
    const a = '{"apiVersion":"v1","generated":"one","entries":{}}';
    expect(indexContentHash(bytes(a))).not.toBe(indexContentHash(bytes(a.replace("one", "two"))));
    expect(indexContentHash(bytes(a))).toMatch(/^[0-9a-f]{64}$/);
  });
});
