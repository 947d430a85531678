import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { compareSchemas } from "./compare_schemas.ts";

const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: "object",
  properties,
  ...extra,
});

describe("compareSchemas()", () => {
  it("reports added and removed properties once, at their top", () => {
    const from = object({ replicaCount: { type: "string" }, legacy: object({ enabled: { type: "boolean" }, mode: { type: "string" } }) });
    const to = object({ replicaCount: { type: "integer" }, metrics: object({ port: { type: "integer" } }) });
    expect(compareSchemas(from, to)).toEqual({
      added: [{ path: "metrics" }],
      removed: [{ path: "legacy" }],
      changed: [{ path: "replicaCount", field: "type", old: "string", new: "integer" }],
    });
  });

  it("reports type, enum, default and required changes, with null for an absent keyword", () => {
    const from = object({ pullPolicy: { type: "string", enum: ["Always", "Never"] }, image: object({ tag: { type: "string" } }, { required: ["tag"] }) });
    const to = object({
      pullPolicy: { type: "string", enum: ["Always", "Never", "IfNotPresent"], default: "IfNotPresent" },
      image: object({ tag: { type: "string" } }, { required: ["tag", "repository"] }),
    });
    expect(compareSchemas(from, to).changed).toEqual([
      { path: "pullPolicy", field: "enum", old: ["Always", "Never"], new: ["Always", "Never", "IfNotPresent"] },
      { path: "pullPolicy", field: "default", old: null, new: "IfNotPresent" },
      { path: "image", field: "required", old: ["tag"], new: ["tag", "repository"] },
    ]);
  });

  it("does not count a reordered type list or required list, or `string` against [`string`]", () => {
    const from = object({ a: { type: ["string", "null"] }, b: { type: "integer" } }, { required: ["a", "b"] });
    const to = object({ a: { type: ["null", "string"] }, b: { type: ["integer"] } }, { required: ["b", "a"] });
    expect(compareSchemas(from, to)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("reports root changes at the empty path and nested properties by dotted path, dotted keys in brackets", () => {
    const from = object({ a: object({ "b.c": { type: "string" } }) }, { required: [] });
    const to = object({ a: object({ "b.c": { type: "number" } }) }, { required: ["a"] });
    expect(compareSchemas(from, to).changed).toEqual([
      { path: "", field: "required", old: [], new: ["a"] },
      { path: 'a["b.c"]', field: "type", old: "string", new: "number" },
    ]);
  });

  it("follows items (as list[]) and local $refs to $defs and definitions, recursive ones once", () => {
    const node = { $ref: "#/$defs/node" };
    const from = {
      type: "object",
      properties: { hosts: { type: "array", items: object({ name: { type: "string" } }) }, port: { $ref: "#/definitions/port" }, tree: node },
      definitions: { port: { type: "integer" } },
      $defs: { node: object({ children: { type: "array", items: { $ref: "#/$defs/node" } } }) },
    };
    const to = structuredClone(from) as typeof from;
    to.properties.hosts.items.properties = { name: { type: "string" }, path: { type: "string" } } as never;
    to.definitions.port = { type: "string" };
    expect(compareSchemas(from, to)).toEqual({
      added: [{ path: "hosts[].path" }],
      removed: [],
      changed: [{ path: "port", field: "type", old: "integer", new: "string" }],
    });
  });

  it("treats a missing schema as one without properties", () => {
    expect(compareSchemas(null, object({ a: { type: "string" } }))).toEqual({ added: [{ path: "a" }], removed: [], changed: [] });
    expect(compareSchemas(null, null)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("gives an empty diff for identical schemas", () => {
    const schema = object({ a: object({ b: { type: "string", enum: ["x"] } }, { required: ["b"] }) });
    expect(compareSchemas(schema, structuredClone(schema))).toEqual({ added: [], removed: [], changed: [] });
  });

  it("refuses a schema nested deeper than it walks", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 150; i += 1) deep = object({ a: deep });
    expect(() => compareSchemas(deep, null)).toThrow(InputError);
  });
});
