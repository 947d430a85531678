import { describe, expect, it } from "vitest";
import { readComparedVersion, type ComparedVersion } from "./compared_version.ts";
import { compareVersions } from "./compare_versions.ts";

const v1: ComparedVersion = {
  version: "1.0.0",
  chartYaml: {
    name: "web",
    version: "1.0.0",
    appVersion: "1.25.0",
    dependencies: [{ name: "common", version: "1.x", repository: "https://charts.example" }],
  },
  values: "image:\n  repository: nginx\n  tag: '1.25'\nlegacy:\n  enabled: true\n",
  valuesSchema: { type: "object", properties: { replicaCount: { type: "string" }, legacy: { type: "object" } } },
};

const v2: ComparedVersion = {
  version: "2.0.0",
  chartYaml: {
    name: "web",
    version: "2.0.0",
    appVersion: "1.27.0",
    annotations: {
      "artifacthub.io/images": "- name: redis\n  image: redis:7.2\n",
      "artifacthub.io/changes": "- kind: changed\n  description: nginx 1.27\n",
    },
    dependencies: [
      { name: "common", version: "2.x", repository: "https://charts.example" },
      { name: "redis", version: "^18", repository: "https://charts.example", condition: "redis.enabled" },
    ],
  },
  values: "image:\n  repository: nginx\n  tag: '1.27'\nmetrics:\n  port: 9090\n",
  valuesSchema: { type: "object", properties: { replicaCount: { type: "integer" }, metrics: { type: "object", properties: { port: { type: "integer" } } } } },
};

describe("compareVersions()", () => {
  it("assembles the values, schema, Chart.yaml, images and changelog sections", () => {
    expect(compareVersions(v1, v2, { chart: "web" })).toEqual({
      chart: "web",
      from: "1.0.0",
      to: "2.0.0",
      values: {
        added: [{ path: "metrics.port", new: 9090 }],
        removed: [{ path: "legacy.enabled", old: true }],
        changed: [{ path: "image.tag", old: "1.25", new: "1.27" }],
      },
      schema: {
        added: [{ path: "metrics" }],
        removed: [{ path: "legacy" }],
        changed: [{ path: "replicaCount", field: "type", old: "string", new: "integer" }],
      },
      chart_yaml: {
        changed: [
          { field: "appVersion", old: "1.25.0", new: "1.27.0" },
          { field: 'annotations["artifacthub.io/images"]', old: null, new: "- name: redis\n  image: redis:7.2\n" },
        ],
        dependencies: {
          added: [{ name: "redis", version: "^18", repository: "https://charts.example", condition: "redis.enabled" }],
          removed: [],
          changed: [{ name: "common", old: { version: "1.x" }, new: { version: "2.x" } }],
        },
      },
      images: {
        from: ["nginx:1.25"],
        to: ["nginx:1.27", "redis:7.2"],
        added: ["redis:7.2"],
        removed: [],
        changed: [{ repository: "nginx", old: "1.25", new: "1.27" }],
      },
      changelog: [{ version: "2.0.0", kind: "changed", description: "nginx 1.27" }],
    });
  });

  it("gives an empty comparison of a version with itself", () => {
    const same = compareVersions(v2, v2, { chart: "web", versions: [v1, v2] });
    expect(same.values).toEqual({ added: [], removed: [], changed: [] });
    expect(same.schema).toEqual({ added: [], removed: [], changed: [] });
    expect(same.chart_yaml).toEqual({ changed: [], dependencies: { added: [], removed: [], changed: [] } });
    expect(same.images.added.length + same.images.removed.length + same.images.changed.length).toBe(0);
    expect(same.changelog).toEqual([]);
  });

  it("compares in either order", () => {
    const back = compareVersions(v2, v1, { chart: "web" });
    expect(back.values.added).toEqual([{ path: "legacy.enabled", new: true }]);
    expect(back.images.changed).toEqual([{ repository: "nginx", old: "1.27", new: "1.25" }]);
    expect(back.changelog).toEqual([{ version: "2.0.0", kind: "changed", description: "nginx 1.27" }]);
  });

  it("uses the values a caller already read instead of parsing them again", () => {
    const read = (version: ComparedVersion): ComparedVersion => ({ ...version, read: readComparedVersion(version) });
    const expected = compareVersions(v1, v2, { chart: "web" });
    expect(compareVersions(read(v1), read(v2), { chart: "web" })).toEqual(expected);
    // Text that would not parse is not looked at once the version carries what was read of it.
    const unparsable = { ...read(v2), values: "image: [unclosed" };
    expect(compareVersions(read(v1), unparsable, { chart: "web" }).values).toEqual(expected.values);
  });
});
