import { describe, expect, it } from "vitest";
import { unknownKeys } from "./unknown_keys.ts";

const chartValues = {
  image: { repository: "nginx", tag: "" },
  podAnnotations: {},
  resources: {},
  nodeSelector: null,
  service: { type: "ClusterIP", port: 80 },
};

const paths = (user: Record<string, unknown>, schema: unknown = null, subcharts: string[] = []): string[] =>
  unknownKeys(user, chartValues, { schema, subcharts }).map((entry) => entry.path);

describe("unknownKeys()", () => {
  it("reports keys values.yaml does not have, by dotted path", () => {
    expect(paths({ image: { repository: "x", tga: "1" }, replicas: 2, service: { port: 81 } })).toEqual(["image.tga", "replicas"]);
  });

  it("knows global, the subcharts and what free-form maps hold", () => {
    const user = { global: { anything: 1 }, redis: { auth: { enabled: false } }, podAnnotations: { "a.b/c": "d" }, nodeSelector: { zone: "a" } };
    expect(paths(user, null, ["redis"])).toEqual([]);
  });

  it("knows what the schema describes: properties, patternProperties, additionalProperties, $ref and allOf", () => {
    const schema = {
      type: "object",
      $defs: { probe: { type: "object", properties: { path: { type: "string" } } } },
      properties: {
        metrics: { type: "object", properties: { port: { type: "integer" } } },
        env: { type: "object", additionalProperties: { type: "string" } },
        probe: { $ref: "#/$defs/probe" },
        extra: { allOf: [{ properties: { one: {} } }, { properties: { two: {} } }] },
      },
      patternProperties: { "^x-": {} },
    };
    const user = {
      metrics: { port: 9090, prot: 1 },
      env: { ANY: "1" },
      probe: { path: "/", pth: "/" },
      extra: { one: 1, two: 2, three: 3 },
      "x-custom": 1,
      other: 1,
    };
    expect(paths(user, schema)).toEqual(["metrics.prot", "probe.pth", "extra.three", "other"]);
  });

  it("checks a free-form map of values.yaml against the properties the schema lists there", () => {
    const schema = { type: "object", properties: { resources: { type: "object", properties: { limits: {}, requests: {} } } } };
    expect(paths({ resources: { limits: {}, limts: {} } }, schema)).toEqual(["resources.limts"]);
  });

  it("never enters lists", () => {
    expect(paths({ service: { type: "x" }, image: { repository: "x" }, tolerations: [{ anything: 1 }] })).toEqual(["tolerations"]);
  });
});
