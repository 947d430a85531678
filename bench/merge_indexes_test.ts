import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseIndex } from "@charthouse/registry-http";
import { mergeIndexes } from "./merge_indexes.ts";

const INDEXES = fileURLToPath(new URL("../../shared/data/indexes/", import.meta.url));

describe("mergeIndexes()", () => {
  it("builds the 17.9 MB, 17,769-version benchmark index with every chart kept apart", () => {
    const files = readdirSync(INDEXES)
      .filter((f) => f.endsWith(".index.yaml"))
      .sort()
      .map((f) => INDEXES + f);
    const merged = Buffer.from(mergeIndexes(files));
    expect(merged.length).toBeGreaterThan(17_800_000);
    expect(merged.length).toBeLessThan(18_100_000);
    const index = parseIndex(merged);
    expect(index.versionCount + index.duplicates.length).toBe(17_769);
    expect(index.problems).toEqual([]);
    expect(index.charts.has("grafana-helm-charts--loki")).toBe(true);
    expect(index.charts.get("argo-helm--argo")?.[0]?.name).toBe("argo-helm--argo");
  });
});
