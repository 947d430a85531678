import { describe, expect, it } from "vitest";
import { compareChartYaml } from "./compare_chart_yaml.ts";

describe("compareChartYaml()", () => {
  it("reports changed top-level fields but not name or version", () => {
    const diff = compareChartYaml(
      { name: "web", version: "1.0.0", appVersion: "1.25.0", description: "Web", kubeVersion: ">=1.20" },
      { name: "web", version: "2.0.0", appVersion: "1.27.0", description: "Web", deprecated: true },
    );
    expect(diff.changed).toEqual([
      { field: "appVersion", old: "1.25.0", new: "1.27.0" },
      { field: "deprecated", old: null, new: true },
      { field: "kubeVersion", old: ">=1.20", new: null },
    ]);
  });

  it("compares annotations one by one, leaving the changelog annotation to the changelog", () => {
    const diff = compareChartYaml(
      { annotations: { "artifacthub.io/changes": "- a", category: "web" } },
      { annotations: { "artifacthub.io/changes": "- b", category: "networking" } },
    );
    expect(diff.changed).toEqual([{ field: 'annotations["category"]', old: "web", new: "networking" }]);
  });

  it("reports dependencies added, removed and changed by name, with only the fields that differ", () => {
    const diff = compareChartYaml(
      {
        dependencies: [
          { name: "common", version: "1.x", repository: "https://charts.example" },
          { name: "postgresql", version: "12.x", repository: "https://charts.example" },
        ],
      },
      {
        dependencies: [
          { name: "common", version: "2.x", repository: "https://charts.example" },
          { name: "redis", version: "^18", repository: "https://charts.example", condition: "redis.enabled" },
        ],
      },
    );
    expect(diff.dependencies).toEqual({
      added: [{ name: "redis", version: "^18", repository: "https://charts.example", condition: "redis.enabled" }],
      removed: [{ name: "postgresql", version: "12.x", repository: "https://charts.example" }],
      changed: [{ name: "common", old: { version: "1.x" }, new: { version: "2.x" } }],
    });
  });

  it("tells two aliases of one chart apart", () => {
    const diff = compareChartYaml(
      { dependencies: [{ name: "redis", alias: "cache", version: "1" }, { name: "redis", alias: "queue", version: "1" }] },
      { dependencies: [{ name: "redis", alias: "cache", version: "2" }, { name: "redis", alias: "queue", version: "1" }] },
    );
    expect(diff.dependencies.changed).toEqual([{ name: "cache", old: { version: "1" }, new: { version: "2" } }]);
  });

  it("gives an empty diff for the same Chart.yaml and copes with a missing one", () => {
    const chart = { name: "web", version: "1.0.0", dependencies: [{ name: "a", version: "1" }] };
    expect(compareChartYaml(chart, structuredClone(chart))).toEqual({ changed: [], dependencies: { added: [], removed: [], changed: [] } });
    expect(compareChartYaml(null, chart).dependencies.added).toEqual([{ name: "a", version: "1" }]);
  });
});
