import { describe, expect, it } from "vitest";
import { InputError } from "@charthouse/errors";
import { compareValues } from "./compare_values.ts";
import { appendValuePath } from "./value_path.ts";

describe("compareValues()", () => {
  it("reports added, removed and changed leaves of nested maps by dotted path", () => {
    const diff = compareValues(
      "image:\n  repository: nginx\n  tag: '1.25'\nlegacy:\n  enabled: true\nservice:\n  port: 80\n",
      "image:\n  repository: nginx\n  tag: '1.27'\nmetrics:\n  port: 9090\nservice:\n  port: 80\n",
    );
    expect(diff).toEqual({
      added: [{ path: "metrics.port", new: 9090 }],
      removed: [{ path: "legacy.enabled", old: true }],
      changed: [{ path: "image.tag", old: "1.25", new: "1.27" }],
    });
  });

  it("counts a new or removed map by its leaves, and an empty map as one path", () => {
    const diff = compareValues("old:\n  a: 1\n  b: { c: 2, d: {} }\n", "new:\n  x: 1\n  z: [1, 2]\nannotations: {}\n");
    expect(diff.removed.map((entry) => entry.path)).toEqual(["old.a", "old.b.c", "old.b.d"]);
    expect(diff.added).toEqual([
      { path: "new.x", new: 1 },
      { path: "new.z", new: [1, 2] },
      { path: "annotations", new: {} },
    ]);
  });

  it("compares a list as one value at its own path", () => {
    const diff = compareValues("args: [a, b]\nhosts:\n  - name: x\n", "args: [a, b, c]\nhosts:\n  - name: z\n");
    expect(diff.changed).toEqual([
      { path: "args", old: ["a", "b"], new: ["a", "b", "c"] },
      { path: "hosts", old: [{ name: "x" }], new: [{ name: "z" }] },
    ]);
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
  });

  it("reports a scalar that changes type as changed, and one that becomes a map as removed plus its leaves added", () => {
    const diff = compareValues("port: '80'\nflag: true\nresources: null\n", "port: 80\nflag: 'true'\nresources:\n  limits:\n    cpu: 1\n");
    expect(diff.changed).toEqual([
      { path: "port", old: "80", new: 80 },
      { path: "flag", old: true, new: "true" },
    ]);
    expect(diff.removed).toEqual([{ path: "resources", old: null }]);
    expect(diff.added).toEqual([{ path: "resources.limits.cpu", new: 1 }]);
  });

  it('writes a key that holds a dot, a bracket, a quote or a space as ["..."]', () => {
    const diff = compareValues("", 'annotations:\n  app.kubernetes.io/name: web\n  "a[0]": 1\n  "say \\"hi\\"": 2\n  plain-key_1: 3\n"top.level": 4\n');
    expect(diff.added.map((entry) => entry.path)).toEqual([
      'annotations["app.kubernetes.io/name"]',
      'annotations["a[0]"]',
      'annotations["say \\"hi\\""]',
      "annotations.plain-key_1",
      '["top.level"]',
    ]);
  });

  it("resolves YAML anchors, aliases and merge keys before comparing", () => {
    const from = "defaults: &d\n  cpu: 1\n  memory: 1Gi\nworker:\n  <<: *d\n  memory: 2Gi\n";
    const to = "worker:\n  cpu: 1\n  memory: 2Gi\ndefaults:\n  cpu: 1\n  memory: 1Gi\n";
    expect(compareValues(from, to)).toEqual({ added: [], removed: [], changed: [] });
    const changedAnchor = compareValues(from, from.replace("cpu: 1", "cpu: 2"));
    expect(changedAnchor.changed.map((entry) => entry.path)).toEqual(["defaults.cpu", "worker.cpu"]);
  });

  it("ignores comments, key order, quoting and flow style", () => {
    const from = "# the image\nimage: { tag: '1.0', repository: nginx }\nlist: [1, 2]\n";
    const to = "image:\n  repository: \"nginx\" # same\n  tag: \"1.0\"\nlist:\n  - 1\n  - 2\n";
    expect(compareValues(from, to)).toEqual({ added: [], removed: [], changed: [] });
  });

  it("gives an empty diff for identical versions, empty documents and missing values files", () => {
    const text = "a:\n  b: 1\n  c: [x]\n";
    expect(compareValues(text, text)).toEqual({ added: [], removed: [], changed: [] });
    expect(compareValues("", "# only a comment\n")).toEqual({ added: [], removed: [], changed: [] });
    expect(compareValues(null, "")).toEqual({ added: [], removed: [], changed: [] });
    expect(compareValues(null, "a: 1\n").added).toEqual([{ path: "a", new: 1 }]);
  });

  it("names the document it cannot read", () => {
    expect(() => compareValues("a: 1\n", "a: [", { toWhat: 'values.yaml of "2.0.0"' })).toThrow(
      /^Cannot parse values.yaml of "2.0.0": /,
    );
    expect(() => compareValues("- a\n", "")).toThrow(InputError);
  });
});

describe("appendValuePath()", () => {
  it("joins plain keys with dots and brackets the others, also at the top", () => {
    expect(appendValuePath("", "image")).toBe("image");
    expect(appendValuePath("image", "tag")).toBe("image.tag");
    expect(appendValuePath("", "b.c")).toBe('["b.c"]');
    expect(appendValuePath("a", "b.c")).toBe('a["b.c"]');
    expect(appendValuePath("a", "")).toBe('a[""]');
  });
});
