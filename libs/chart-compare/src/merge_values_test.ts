import { describe, expect, it } from "vitest";
import { mergeValues } from "./merge_values.ts";

describe("mergeValues()", () => {
  it("merges maps key by key, the user's value winning", () => {
    const defaults = { image: { repository: "nginx", tag: "1.25" }, replicaCount: 1, list: [1, 2] };
    const merged = mergeValues(defaults, { image: { tag: "1.27" }, list: [3], extra: true });
    expect(merged).toEqual({ image: { repository: "nginx", tag: "1.27" }, replicaCount: 1, list: [3], extra: true });
    expect(defaults.image.tag).toBe("1.25");
  });

  it("deletes a key the chart has when the user sets it to null, and keeps a null the chart lacks", () => {
    const merged = mergeValues({ a: 1, d: { x: 1, y: 2 } }, { a: null, d: { y: null, z: null }, n: null });
    expect(merged).toEqual({ d: { x: 1, z: null }, n: null });
  });

  it("lets the user's value win a clash of a map with a scalar, either way", () => {
    expect(mergeValues({ a: { b: 1 }, c: 1 }, { a: "text", c: { d: 1 } })).toEqual({ a: "text", c: { d: 1 } });
  });

  it("keeps __proto__ as a plain key", () => {
    const user = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const merged = mergeValues({}, user);
    expect(Object.hasOwn(merged, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });
});
