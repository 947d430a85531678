// Text in an index that Postgres cannot store: NUL (a YAML "\0" escape, a JSON "\u0000") and
// unpaired surrogates ("\uD800"). Text fields are cleaned; a name or version with a NUL is refused.
import { describe, expect, it } from "vitest";
import { parseIndex } from "./index_parser.ts";

const digest = "a".repeat(64);

function only(index: string): ReturnType<typeof parseIndex> {
  return parseIndex(index, { source: "hostile" });
}

/** Every string of a parsed index, as JSON: what would be written to text and jsonb columns. */
function stored(index: ReturnType<typeof parseIndex>): string {
  return JSON.stringify({ charts: [...index.charts.entries()], problems: index.problems });
}

describe("parseIndex() on text Postgres cannot store", () => {
  it("drops a YAML \\0 escape from a description (Helm's block layout, the fast path)", () => {
    const index = only(`apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    digest: ${digest}\n    description: "caf\\0e"\n    urls: [app-1.0.0.tgz]\n`);
    expect(index.charts.get("app")?.[0]?.description).toBe("cafe");
    expect(stored(index)).not.toContain("\\u0000");
  });

  it("drops \\u0000 from every text field of a JSON index: keywords, urls, maintainers, annotation keys", () => {
    const entry = {
      name: "app",
      version: "1.0.0",
      appVersion: "1\u0000",
      home: "https://x\u0000.example",
      keywords: ["k\u0000"],
      urls: ["app-1.0.0.tgz\u0000"],
      maintainers: [{ name: "m\u0000", email: "e\u0000@x" }],
      annotations: { "key\u0000": "value\u0000" },
      dependencies: [{ name: "d\u0000", version: "1" }],
    };
    const index = only(JSON.stringify({ apiVersion: "v1", entries: { app: [entry] } }));
    const version = index.charts.get("app")?.[0];
    expect(version).toMatchObject({ appVersion: "1", home: "https://x.example", keywords: ["k"], urls: ["app-1.0.0.tgz"] });
    expect(version?.metadata).toMatchObject({ maintainers: [{ name: "m", email: "e@x" }], annotations: { key: "value" }, dependencies: [{ name: "d" }] });
    expect(stored(index)).not.toContain("\\u0000");
  });

  it("replaces an unpaired surrogate (YAML \\uD800) with U+FFFD", () => {
    const index = only(`apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    description: "a\\uD800b"\n`);
    expect(index.charts.get("app")?.[0]?.description).toBe("a\uFFFDb");
  });

  it("skips a version that holds a NUL, naming it as a problem", () => {
    const index = only(
      `apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: "1.0.0\\0evil"\n  - name: app\n    version: 1.0.1\n`,
    );
    expect(index.charts.get("app")?.map((v) => v.version)).toEqual(["1.0.1"]);
    expect(index.problems.map((p) => p.message)).toEqual(["entries.app[0].version contains a NUL character"]);
  });

  it("skips a chart whose name holds a NUL, with a problem that can be stored", () => {
    const index = only(JSON.stringify({ apiVersion: "v1", entries: { "ev\u0000il": [{ name: "ev\u0000il", version: "1.0.0" }], good: [{ name: "good", version: "1.0.0" }] } }));
    expect([...index.charts.keys()]).toEqual(["good"]);
    expect(index.problems[0]?.message).toMatch(/^entries\.evil has an invalid chart name "ev\\u0000il"/);
    expect(index.problems[0]?.path).toBe("entries.evil");
  });

  it("refuses a raw NUL byte in the body as invalid_index (binary, not YAML)", () => {
    const body = Buffer.concat([Buffer.from("apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    description: a"), Buffer.from([0]), Buffer.from("b\n")]);
    expect(() => only(body.toString("latin1"))).toThrow(expect.objectContaining({ code: "invalid_index" }));
  });
});
