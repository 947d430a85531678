import { describe, expect, it } from "vitest";
import { schemaTree } from "./schema_tree.ts";

describe("schemaTree()", () => {
  it("lists properties alphabetically with type, default, description and required", () => {
    const tree = schemaTree({
      type: "object",
      required: ["replicaCount"],
      properties: {
        replicaCount: { type: "integer", default: 1, description: "How many pods", minimum: 1 },
        image: { type: "object", properties: { tag: { type: ["string", "null"], enum: ["1.0", null] } } },
      },
    });
    const [image, replicas] = tree.children;
    expect(replicas).toMatchObject({
      name: "replicaCount",
      path: "replicaCount",
      types: ["integer"],
      required: true,
      defaultText: "1",
      description: "How many pods",
      constraints: ["minimum: 1"],
    });
    expect(image?.children[0]).toMatchObject({ path: "image.tag", types: ["string", "null"], enumValues: ['"1.0"', "null"] });
  });

  it("follows local $refs, array items and allOf", () => {
    const tree = schemaTree({
      definitions: { port: { type: "integer", description: "A port" } },
      properties: {
        ports: { type: "array", items: { $ref: "#/definitions/port" } },
        extra: { allOf: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "boolean" } } }] },
      },
    });
    const [extra, ports] = tree.children;
    expect(ports?.children[0]).toMatchObject({ name: "[]", path: "ports[]", types: ["integer"], description: "A port" });
    expect(extra?.children.map((c) => c.name)).toEqual(["a", "b"]);
  });

  it("cuts a $ref cycle instead of recursing forever", () => {
    const tree = schemaTree({
      $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
      properties: { head: { $ref: "#/$defs/node" } },
    });
    const next = tree.children[0]?.children[0];
    expect(next?.name).toBe("next");
    expect(next?.truncated).toContain("refers to itself");
  });

  it("answers an empty tree for something that is not a schema", () => {
    expect(schemaTree("nope").children).toEqual([]);
  });
});
