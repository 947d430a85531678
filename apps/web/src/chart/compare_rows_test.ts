import { describe, expect, it } from "vitest";
import type { VersionComparison } from "../api/api_types.ts";
import { changeCounts, isEmptyComparison, schemaRows, valueText, valuesRows } from "./compare_rows.ts";

function comparison(patch: Partial<VersionComparison> = {}): VersionComparison {
  return {
    chart: "web",
    from: "1.0.0",
    to: "2.0.0",
    values: { added: [], removed: [], changed: [] },
    schema: { added: [], removed: [], changed: [] },
    chart_yaml: { changed: [], dependencies: { added: [], removed: [], changed: [] } },
    images: { from: ["nginx:1.27"], to: ["nginx:1.27"], added: [], removed: [], changed: [] },
    changelog: [],
    ...patch,
  };
}

describe("valuesRows()", () => {
  it("merges added, removed and changed paths into one list sorted by path, each marked", () => {
    const rows = valuesRows({
      added: [{ path: "metrics.port", new: 9090 }],
      removed: [{ path: "legacy.enabled", old: true }],
      changed: [{ path: "image.tag", old: "1.25", new: "1.27" }],
    });
    expect(rows).toEqual([
      { path: "image.tag", mark: "changed", old: "1.25", new: "1.27" },
      { path: "legacy.enabled", mark: "removed", old: true },
      { path: "metrics.port", mark: "added", new: 9090 },
    ]);
  });
});

describe("schemaRows()", () => {
  it("lists properties added and removed and keywords changed, sorted by property path", () => {
    const rows = schemaRows({
      added: [{ path: "service" }, { path: "image" }],
      removed: [{ path: "legacy" }],
      changed: [{ path: "replicaCount", field: "type", old: "string", new: "integer" }],
    });
    expect(rows.map((r) => [r.path, r.mark, r.field])).toEqual([
      ["image", "added", null],
      ["legacy", "removed", null],
      ["replicaCount", "changed", "type"],
      ["service", "added", null],
    ]);
    expect(rows[2]).toMatchObject({ old: "string", new: "integer" });
  });
});

describe("valueText()", () => {
  it("writes values as JSON so a string and a number read differently", () => {
    expect(valueText("1")).toBe('"1"');
    expect(valueText(1)).toBe("1");
    expect(valueText(null)).toBe("null");
    expect(valueText(["a", 2])).toBe('["a",2]');
    expect(valueText({})).toBe("{}");
    expect(valueText(undefined)).toBe("");
  });
});

describe("isEmptyComparison()", () => {
  it("is empty when nothing differs, even though both versions list images", () => {
    expect(isEmptyComparison(comparison())).toBe(true);
  });

  it("counts each section's differences", () => {
    const c = comparison({
      values: { added: [{ path: "a", new: 1 }], removed: [], changed: [{ path: "b", old: 1, new: 2 }] },
      images: { from: ["nginx:1.25"], to: ["nginx:1.27"], added: [], removed: [], changed: [{ repository: "nginx", old: "1.25", new: "1.27" }] },
      changelog: [{ version: "2.0.0", kind: "fixed", description: "A fix" }],
    });
    expect(isEmptyComparison(c)).toBe(false);
    expect(changeCounts(c)).toEqual({ values: 2, schema: 0, chartYaml: 0, images: 1, changelog: 1 });
  });
});
