import { describe, expect, it } from "vitest";
import { InputError, TooLargeError } from "@charthouse/errors";
import { checkValues } from "./check_values.ts";
import type { ComparedVersion } from "./compared_version.ts";

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["replicaCount", "image"],
  properties: {
    replicaCount: { type: "integer", minimum: 0 },
    image: {
      type: "object",
      required: ["repository"],
      properties: { repository: { type: "string" }, pullPolicy: { enum: ["Always", "IfNotPresent", "Never"] }, tag: { type: "string" } },
    },
    service: { type: "object", additionalProperties: false, properties: { type: { type: "string" }, port: { type: "integer" } } },
  },
};

const chart: ComparedVersion = {
  version: "1.0.0",
  chartYaml: { name: "web", version: "1.0.0", dependencies: [{ name: "postgresql", alias: "db", version: "1" }] },
  values: "replicaCount: 1\nimage:\n  repository: nginx\n  pullPolicy: IfNotPresent\n  tag: ''\nservice:\n  type: ClusterIP\n  port: 80\n",
  valuesSchema: schema,
};

describe("checkValues()", () => {
  it("finds nothing wrong with valid overrides", () => {
    expect(checkValues("replicaCount: 3\nimage:\n  tag: '1.27'\ndb:\n  auth: {}\nglobal:\n  x: 1\n", chart)).toEqual({
      unknown_keys: [],
      schema_errors: [],
    });
  });

  it("reports unknown keys and schema errors at the paths Helm prints, in Helm's words", () => {
    const check = checkValues("replicaCount: three\nimage:\n  pullPolicy: Sometimes\nservice:\n  extra: 1\n  port: '80'\nreplicas: 2\n", chart);
    expect(check.unknown_keys).toEqual([{ path: "service.extra" }, { path: "replicas" }]);
    expect(check.schema_errors).toEqual([
      { path: "/image/pullPolicy", message: "value must be one of 'Always', 'IfNotPresent', 'Never'" },
      { path: "/replicaCount", message: "got string, want integer" },
      { path: "/service", message: "additional properties 'extra' not allowed" },
      { path: "/service/port", message: "got string, want integer" },
    ]);
  });

  it("validates the user's values merged over the defaults: a null deletes a required key", () => {
    expect(checkValues("image:\n  repository: null\n", chart).schema_errors).toEqual([{ path: "/image", message: "missing property 'repository'" }]);
    expect(checkValues("replicaCount: null\nimage: null\n", chart).schema_errors).toEqual([
      { path: "", message: "missing properties 'replicaCount', 'image'" },
    ]);
  });

  it("reads a schema without $schema as 2020-12 and one with 2019-09 as such", () => {
    const strict = { type: "object", properties: { a: { type: "object", dependentRequired: { x: ["y"] } } } };
    const withDefault = { ...chart, valuesSchema: strict };
    expect(checkValues("a: { x: 1 }\n", withDefault).schema_errors).toEqual([{ path: "/a", message: "properties 'y' required, if 'x' exists" }]);
    const draft2019 = { ...chart, valuesSchema: { $schema: "https://json-schema.org/draft/2019-09/schema", ...strict } };
    expect(checkValues("a: { x: 1 }\n", draft2019).schema_errors).toHaveLength(1);
  });

  it("reports a schema it cannot use as one error at the root", () => {
    const broken = { ...chart, valuesSchema: { type: "object", properties: { a: { $ref: "https://example.com/remote.json" } } } };
    const check = checkValues("a: 1\n", broken);
    expect(check.schema_errors).toHaveLength(1);
    expect(check.schema_errors[0]?.path).toBe("");
    expect(check.schema_errors[0]?.message).toMatch(/^Cannot use values.schema.json: /);
  });

  it("checks only unknown keys when the chart has no schema", () => {
    expect(checkValues("nope: 1\n", { ...chart, valuesSchema: null })).toEqual({ unknown_keys: [{ path: "nope" }], schema_errors: [] });
  });

  it("refuses a file over 1 MiB (too_large) and hostile YAML (invalid_input), each within a second", () => {
    const hostile = [
      { text: `a: "${"x".repeat(10 * 1024 * 1024)}"\n`, type: TooLargeError, code: "too_large" },
      { text: `a: &a [${Array(1000).fill("1").join(",")}]\nb: [${Array(1000).fill("*a").join(",")}]\nc: [${Array(1000).fill("*b").join(",")}]\n`, type: InputError, code: "invalid_input" },
      { text: `a: ${"[".repeat(1000)}${"]".repeat(1000)}\n`, type: InputError, code: "invalid_input" },
      { text: "a: b: c\n  - [\n", type: InputError, code: "invalid_input" },
    ];
    for (const { text, type, code } of hostile) {
      const started = performance.now();
      let caught: unknown;
      try {
        checkValues(text, chart);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(type);
      expect((caught as InputError).code).toBe(code);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
