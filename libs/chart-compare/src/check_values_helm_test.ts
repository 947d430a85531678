import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir, runHelm } from "@charthouse/testing";
import { checkValues } from "./check_values.ts";
import type { SchemaError } from "./helm_schema_errors.ts";

/** A schema for the chart `helm create` makes, with the checks users trip over. */
const schema = {
  type: "object",
  required: ["replicaCount", "image", "service"],
  properties: {
    replicaCount: { type: "integer", minimum: 0 },
    image: {
      type: "object",
      required: ["repository"],
      properties: {
        repository: { type: "string" },
        pullPolicy: { type: "string", enum: ["Always", "IfNotPresent", "Never"] },
        tag: { type: "string", pattern: "^[A-Za-z0-9._-]*$" },
      },
    },
    service: {
      type: "object",
      additionalProperties: false,
      properties: { type: { type: "string", enum: ["ClusterIP", "NodePort", "LoadBalancer"] }, port: { type: "integer", maximum: 65535 } },
    },
    ingress: {
      type: "object",
      properties: {
        enabled: { type: "boolean" },
        hosts: { type: "array", items: { type: "object", required: ["host"], properties: { host: { type: "string" } } } },
      },
    },
    autoscaling: { type: "object", properties: { maxReplicas: { type: "integer", minimum: 1 } } },
  },
};

const dialects = {
  "draft-07": "http://json-schema.org/draft-07/schema#",
  "2020-12": "https://json-schema.org/draft/2020-12/schema",
};

/** User values files: each kind of mistake alone, several at once, and valid overrides. */
const valuesFiles: Record<string, string> = {
  "wrong-type": 'replicaCount: "three"\n',
  "missing-required": "image:\n  repository: null\n",
  "missing-top-level": "replicaCount: null\n",
  "enum-miss": "image:\n  pullPolicy: Sometimes\n",
  "extra-key": "service:\n  extra: 1\n",
  "bounds-and-pattern": "replicaCount: -1\nimage:\n  tag: 'not a tag'\nservice:\n  port: 70000\nautoscaling:\n  maxReplicas: 0\n",
  "several-nested": "replicaCount: 2.5\nservice:\n  type: Internal\n  port: '80'\n  nodePort: 30080\ningress:\n  enabled: yes\n  hosts:\n    - paths: []\n    - host: ok.example\n",
  valid: "replicaCount: 3\nimage:\n  tag: '1.27'\nservice:\n  type: NodePort\ningress:\n  enabled: false\npodAnnotations:\n  a.b/c: d\n",
};

/** The violations `helm template` prints (`- at '/path': message`), without its "validation failed" group lines. */
function helmErrors(stderr: string): SchemaError[] {
  const errors: SchemaError[] = [];
  for (const line of stderr.split("\n")) {
    const match = /^\s*- at '(.*)': (.*)$/.exec(line);
    if (match !== null && match[2] !== "validation failed") errors.push({ path: match[1] ?? "", message: match[2] ?? "" });
  }
  return errors.sort((a, b) => (a.path === b.path ? (a.message < b.message ? -1 : 1) : a.path < b.path ? -1 : 1));
}

/** Runs `helm template` with the values file; what it refuses, or [] when it renders. */
async function helmTemplateErrors(chartDir: string, valuesPath: string): Promise<SchemaError[]> {
  try {
    await runHelm(["template", "check", chartDir, "--values", valuesPath]);
    return [];
  } catch (err) {
    const errors = helmErrors((err as Error).message);
    // A failure that is not a schema verdict (a template error) would make the comparison meaningless.
    if (errors.length === 0) throw err;
    return errors;
  }
}

describe("checkValues() against helm template --values", () => {
  let work = "";
  const charts: Record<string, string> = {};

  beforeAll(async () => {
    work = await makeTempDir("check-values");
    for (const [dialect, uri] of Object.entries(dialects)) {
      const name = `demo-${dialect.replace(/\W/g, "")}`;
      await runHelm(["create", name], { cwd: work });
      const dir = join(work, name);
      await writeFile(join(dir, "values.schema.json"), JSON.stringify({ $schema: uri, ...schema }, null, 2));
      charts[dialect] = dir;
    }
    for (const [name, text] of Object.entries(valuesFiles)) await writeFile(join(work, `${name}.yaml`), text);
  }, 120_000);

  afterAll(async () => {
    await removeTempDir(work);
  });

  for (const dialect of Object.keys(dialects)) {
    it(`reports the schema errors helm reports, at the same paths (${dialect})`, async () => {
      const dir = charts[dialect] ?? "";
      const chart = {
        version: "0.1.0",
        chartYaml: { name: "demo", version: "0.1.0" },
        values: await readFile(join(dir, "values.yaml"), "utf8"),
        valuesSchema: JSON.parse(await readFile(join(dir, "values.schema.json"), "utf8")) as unknown,
      };
      const names = Object.keys(valuesFiles);
      const helm = await Promise.all(names.map((name) => helmTemplateErrors(dir, join(work, `${name}.yaml`))));
      names.forEach((name, index) => {
        const ours = checkValues(valuesFiles[name] ?? "", chart).schema_errors;
        const theirs = helm[index] ?? [];
        expect({ name, paths: ours.map((error) => error.path) }).toEqual({ name, paths: theirs.map((error) => error.path) });
        expect({ name, errors: ours }).toEqual({ name, errors: theirs });
      });
      // The set is not vacuous: every file but the valid one is refused by helm.
      expect(helm.filter((errors) => errors.length > 0)).toHaveLength(names.length - 1);
    }, 180_000);
  }

  it("reports as unknown the keys helm create's values.yaml and the schema lack, and none in valid overrides", async () => {
    const dir = charts["draft-07"] ?? "";
    const chart = { version: "0.1.0", chartYaml: {}, values: await readFile(join(dir, "values.yaml"), "utf8"), valuesSchema: schema };
    const unknown = (name: string): string[] => checkValues(valuesFiles[name] ?? "", chart).unknown_keys.map((entry) => entry.path);
    expect(unknown("extra-key")).toEqual(["service.extra"]);
    expect(unknown("several-nested")).toEqual(["service.nodePort"]);
    expect(unknown("valid")).toEqual([]);
  });
});
