import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import jsYaml from "js-yaml";
import { readChartArchive } from "@charthouse/chart-archive";
import { runHelm } from "@charthouse/testing";
import { compareVersions } from "./compare_versions.ts";
import { compareValues } from "./compare_values.ts";
import { appendValuePath } from "./value_path.ts";

// The real charts that come in two versions; each comparison must agree with the real helm CLI.
const charts = "/work/shared/data/charts";
const pairs = [
  { chart: "argo-cd", from: join(charts, "argo-helm/argo-cd-0.1.0.tgz"), to: join(charts, "argo-helm/argo-cd-3.4.0.tgz") },
  { chart: "loki-stack", from: join(charts, "grafana/loki-stack-0.6.0.tgz"), to: join(charts, "grafana/loki-stack-2.1.0.tgz") },
];

/**
 * The leaf paths of `helm show values` output, read with a different YAML parser (js-yaml) and
 * walked here, so the comparison does not check the library against itself.
 */
function helmLeafPaths(helmOutput: string): Set<string> {
  const paths = new Set<string>();
  const walk = (path: string, value: unknown): void => {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(appendValuePath(path, key), child);
    } else {
      paths.add(path);
    }
  };
  const root = jsYaml.load(helmOutput) ?? {};
  for (const [key, child] of Object.entries(root as Record<string, unknown>)) walk(appendValuePath("", key), child);
  return paths;
}

const minus = (a: Set<string>, b: Set<string>): string[] => [...a].filter((path) => !b.has(path)).sort();

async function readVersion(path: string): Promise<{ version: string; chartYaml: unknown; values: string | null; valuesSchema: unknown }> {
  const archive = await readChartArchive(new Uint8Array(await readFile(path)));
  return { version: archive.version, chartYaml: archive.chartYaml, values: archive.values, valuesSchema: archive.valuesSchema };
}

describe("compareValues() against helm show values", () => {
  for (const pair of pairs) {
    it(`agrees with a diff of helm's flattened values for ${pair.chart}`, async () => {
      const [from, to, helmFrom, helmTo] = await Promise.all([
        readVersion(pair.from),
        readVersion(pair.to),
        runHelm(["show", "values", pair.from]),
        runHelm(["show", "values", pair.to]),
      ]);
      // What the archive reader stores is what helm shows.
      expect(from.values?.trimEnd()).toBe(helmFrom.trimEnd());
      expect(to.values?.trimEnd()).toBe(helmTo.trimEnd());

      const diff = compareValues(from.values, to.values);
      const helmFromPaths = helmLeafPaths(helmFrom);
      const helmToPaths = helmLeafPaths(helmTo);
      expect(diff.added.map((entry) => entry.path).sort()).toEqual(minus(helmToPaths, helmFromPaths));
      expect(diff.removed.map((entry) => entry.path).sort()).toEqual(minus(helmFromPaths, helmToPaths));
      expect(diff.added.length + diff.removed.length).toBeGreaterThan(10);
    });
  }

  it("compares argo-cd 0.1.0 with 3.4.0 as a whole: images, Chart.yaml and an empty comparison with itself", async () => {
    const [from, to] = await Promise.all([readVersion(pairs[0]?.from ?? ""), readVersion(pairs[0]?.to ?? "")]);
    const comparison = compareVersions(from, to, { chart: "argo-cd" });
    expect(comparison.images.changed).toContainEqual({ repository: "quay.io/dexidp/dex", old: "v2.12.0", new: "v2.26.0" });
    expect(comparison.images.removed).toContain("argoproj/argocd-ui:v0.11.0");
    expect(comparison.chart_yaml.changed).toContainEqual({ field: "appVersion", old: "0.11", new: "2.0.1" });
    expect(comparison.chart_yaml.dependencies.added.map((dependency) => dependency.name)).toEqual(["redis-ha"]);
    const same = compareVersions(to, to, { chart: "argo-cd" });
    expect([same.values.added, same.values.removed, same.values.changed, same.images.changed]).toEqual([[], [], [], []]);
  });
});
