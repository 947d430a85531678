// Comparing versions through the whole stack: two versions of a chart made by the real helm CLI,
// served by nginx and synced; the comparison and the values check against what helm itself says;
// hostile values files; the summary on the second version's ready event; another organisation.
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import jsYaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageJson, ValuesCheckJson, VersionComparisonJson } from "@charthouse/api-types";
import { makeTempDir, removeTempDir, runHelm, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { addRegistry, registryWhen, syncNow } from "./support/api_waits.ts";
import { listenToEvents, type StreamedEvent } from "./support/event_stream.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

const schemaV1 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    replicaCount: { type: ["integer", "string"] },
    legacy: { type: "object", properties: { enabled: { type: "boolean" } } },
  },
};
const schemaV2 = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["replicaCount"],
  properties: {
    replicaCount: { type: "integer", minimum: 1 },
    image: { type: "object", properties: { pullPolicy: { type: "string", enum: ["Always", "IfNotPresent", "Never"] }, tag: { type: "string" } } },
    service: { type: "object", properties: { port: { type: "integer", maximum: 65535 } } },
    metrics: { type: "object", properties: { port: { type: "integer" } } },
  },
};

/** The two versions: what each changes in `helm create`'s chart. */
const versions = [
  {
    version: "1.0.0",
    appVersion: "1.25.0",
    annotations: { "artifacthub.io/images": "- name: nginx\n  image: nginx:1.25\n", "artifacthub.io/changes": "- kind: added\n  description: First release\n" },
    edit: (values: Record<string, unknown>) => ({ ...values, legacy: { enabled: true }, "dotted.key": "a" }),
    schema: schemaV1,
  },
  {
    version: "2.0.0",
    appVersion: "1.27.0",
    annotations: {
      "artifacthub.io/images": "- name: nginx\n  image: nginx:1.27\n- name: redis\n  image: redis:7.2\n",
      "artifacthub.io/changes": "- kind: changed\n  description: nginx 1.27\n- kind: removed\n  description: The legacy settings\n",
    },
    edit: (values: Record<string, unknown>) => {
      const { autoscaling, ...rest } = values as { autoscaling: Record<string, unknown> };
      return { ...rest, autoscaling: { ...autoscaling, targetMemoryUtilizationPercentage: 70 }, replicaCount: 2, metrics: { port: 9090 } };
    },
    schema: schemaV2,
  },
];

let work: string;
let root: string;
let nginx: NginxServer;
let charthouse: CharthouseUnderTest;
let registryId: string;
const chartDirs = new Map<string, string>();
const abort = new AbortController();
const received: StreamedEvent[] = [];

/** Makes one version with helm create, writes its Chart.yaml, values and schema, and packages it into the repository. */
async function packageVersion(spec: (typeof versions)[number]): Promise<void> {
  const dir = join(work, spec.version);
  await mkdir(dir, { recursive: true });
  await runHelm(["create", "web"], { cwd: dir });
  const chartDir = join(dir, "web");
  const chartYaml = jsYaml.load(await readFile(join(chartDir, "Chart.yaml"), "utf8")) as Record<string, unknown>;
  await writeFile(join(chartDir, "Chart.yaml"), jsYaml.dump({ ...chartYaml, version: spec.version, appVersion: spec.appVersion, annotations: spec.annotations }));
  const values = jsYaml.load(await readFile(join(chartDir, "values.yaml"), "utf8")) as Record<string, unknown>;
  await writeFile(join(chartDir, "values.yaml"), `# edited for version ${spec.version}\n${jsYaml.dump(spec.edit(values))}`);
  await writeFile(join(chartDir, "values.schema.json"), JSON.stringify(spec.schema, null, 2));
  const printed = await runHelm(["package", chartDir, "--destination", dir]);
  const archive = /saved it to: (.+\.tgz)\s*$/m.exec(printed)?.[1] ?? join(dir, `web-${spec.version}.tgz`);
  await cp(archive, join(root, `web-${spec.version}.tgz`));
  await runHelm(["repo", "index", root]);
  chartDirs.set(spec.version, chartDir);
}

/** The leaf paths of `helm show values` output (js-yaml, walked here), keys with dots in brackets. */
function helmLeafPaths(helmOutput: string): Set<string> {
  const paths = new Set<string>();
  const append = (path: string, key: string): string => (/^[^.[\]"'\\\s]+$/.test(key) ? (path === "" ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`);
  const walk = (path: string, value: unknown): void => {
    if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(append(path, key), child);
    } else {
      paths.add(path);
    }
  };
  for (const [key, child] of Object.entries((jsYaml.load(helmOutput) ?? {}) as Record<string, unknown>)) walk(append("", key), child);
  return paths;
}

const minus = (a: Set<string>, b: Set<string>): string[] => [...a].filter((path) => !b.has(path)).sort();

/** The schema violations `helm template --values` prints (`- at '/path': message`), by path. */
async function helmSchemaErrorPaths(chartDir: string, valuesPath: string): Promise<string[]> {
  try {
    await runHelm(["template", "check", chartDir, "--values", valuesPath]);
    return [];
  } catch (err) {
    const paths: string[] = [];
    for (const line of (err as Error).message.split("\n")) {
      const match = /^\s*- at '(.*)': (.*)$/.exec(line);
      if (match !== null && match[2] !== "validation failed") paths.push(match[1] ?? "");
    }
    if (paths.length === 0) throw err;
    return paths.sort();
  }
}

const comparePath = (from: string, to: string): string => `/registries/${registryId}/charts/web/compare?from=${from}&to=${to}`;
const checkUrl = (version: string): string => `${charthouse.apiUrl}/api/v1/registries/${registryId}/charts/web/versions/${version}/check-values`;

async function checkYaml(version: string, body: string | Uint8Array, token = charthouse.token): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const response = await fetch(checkUrl(version), { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/yaml" }, body });
  const parsed = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body: parsed, ms: performance.now() - started };
}

beforeAll(async () => {
  work = await makeTempDir("compare-charts-");
  root = await makeTempDir("compare-repo-");
  await packageVersion(versions[0]!);
  nginx = await startNginx({ root });
  charthouse = await startCharthouse();
  await listenToEvents(charthouse, received, abort.signal);
  registryId = await addRegistry(charthouse, "compare-repo", `${nginx.url}/`);
  await registryWhen(charthouse, registryId, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "version 1.0.0 to be ready");
  await packageVersion(versions[1]!);
  await syncNow(charthouse, registryId);
  await registryWhen(charthouse, registryId, (r) => r.status.versions === 2 && r.status.versions_pending === 0, "version 2.0.0 to be ready");
}, 240_000);

afterAll(async () => {
  abort.abort();
  await charthouse?.stop();
  await nginx?.stop();
  if (work) await removeTempDir(work);
  if (root) await removeTempDir(root);
});

describe("comparing two versions of a helm-made chart through the API", () => {
  it("reports values added and removed as a diff of the flattened helm show values of each", async () => {
    const { status, body } = await charthouse.api<VersionComparisonJson>("GET", comparePath("1.0.0", "2.0.0"));
    expect(status).toBe(200);
    const [before, after] = await Promise.all(["1.0.0", "2.0.0"].map((v) => runHelm(["show", "values", join(root, `web-${v}.tgz`)])));
    const [fromPaths, toPaths] = [helmLeafPaths(before!), helmLeafPaths(after!)];
    expect(body.values.added.map((entry) => entry.path).sort()).toEqual(minus(toPaths, fromPaths));
    expect(body.values.removed.map((entry) => entry.path).sort()).toEqual(minus(fromPaths, toPaths));
    expect(body.values.added.map((entry) => entry.path)).toEqual(expect.arrayContaining(["metrics.port", "autoscaling.targetMemoryUtilizationPercentage"]));
    expect(body.values.removed.map((entry) => entry.path)).toEqual(expect.arrayContaining(["legacy.enabled", '["dotted.key"]']));
    expect(body.values.changed).toEqual([{ path: "replicaCount", old: 1, new: 2 }]);
  });

  it("reports the schema, Chart.yaml, images and changelog sections, and nothing against itself", async () => {
    const { body } = await charthouse.api<VersionComparisonJson>("GET", comparePath("1.0.0", "2.0.0"));
    expect(body.schema.added.map((entry) => entry.path).sort()).toEqual(["image", "metrics", "service"]);
    expect(body.schema.removed).toEqual([{ path: "legacy" }]);
    expect(body.schema.changed).toEqual(
      expect.arrayContaining([
        { path: "replicaCount", field: "type", old: ["integer", "string"], new: "integer" },
        { path: "", field: "required", old: null, new: ["replicaCount"] },
      ]),
    );
    expect(body.chart_yaml.changed).toContainEqual({ field: "appVersion", old: "1.25.0", new: "1.27.0" });
    expect(body.images.added).toContain("redis:7.2");
    expect(body.images.changed).toContainEqual({ repository: "nginx", old: "1.25", new: "1.27" });
    expect(body.changelog).toEqual([
      { version: "2.0.0", kind: "changed", description: "nginx 1.27" },
      { version: "2.0.0", kind: "removed", description: "The legacy settings" },
    ]);
    const reversed = await charthouse.api<VersionComparisonJson>("GET", comparePath("2.0.0", "1.0.0"));
    expect(reversed.body.values.added.map((entry) => entry.path).sort()).toEqual(body.values.removed.map((entry) => entry.path).sort());
    const same = await charthouse.api<VersionComparisonJson>("GET", comparePath("2.0.0", "2.0.0"));
    expect([same.body.values, same.body.schema.changed, same.body.images.changed, same.body.changelog]).toEqual([
      { added: [], removed: [], changed: [] },
      [],
      [],
      [],
    ]);
    expect((await charthouse.api("GET", comparePath("1.0.0", "9.9.9"))).status).toBe(404);
    expect((await charthouse.api("GET", `/registries/${registryId}/charts/web/compare?from=1.0.0`)).status).toBe(422);
  });

  it("reports the schema errors helm template --values reports, at the same paths", async () => {
    const files: Record<string, string> = {
      "wrong-type": 'replicaCount: "three"\n',
      "below-minimum-and-enum": "replicaCount: 0\nimage:\n  pullPolicy: Sometimes\n",
      "port-and-nested": "service:\n  port: 70000\nmetrics:\n  port: high\n",
      "missing-required": "replicaCount: null\n",
      valid: "replicaCount: 3\nimage:\n  tag: '1.27'\n",
    };
    const chartDir = chartDirs.get("2.0.0")!;
    let refused = 0;
    for (const [name, text] of Object.entries(files)) {
      const path = join(work, `${name}.yaml`);
      await writeFile(path, text);
      const helm = await helmSchemaErrorPaths(chartDir, path);
      if (helm.length > 0) refused++;
      const ours = await checkYaml("2.0.0", text);
      expect(ours.status).toBe(200);
      const paths = (ours.body as unknown as ValuesCheckJson).schema_errors.map((error) => error.path).sort();
      expect({ name, paths }).toEqual({ name, paths: helm });
    }
    expect(refused).toBe(Object.keys(files).length - 1);
    const typo = await checkYaml("2.0.0", "replicaCount: 2\nlegacy:\n  enabled: true\nimage:\n  tga: x\n");
    expect((typo.body as unknown as ValuesCheckJson).unknown_keys).toEqual([{ path: "legacy" }, { path: "image.tga" }]);
  }, 120_000);

  it("answers hostile values files with a clear problem within a second, and keeps serving", async () => {
    const letters = "abcdefghij";
    const bomb = [`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`]
      .concat([...letters.slice(1)].map((letter, i) => `${letter}: &${letter} [${Array(9).fill(`*${letters[i]}`).join(",")}]`))
      .join("\n");
    const cases = {
      "10 MB": await checkYaml("2.0.0", new Uint8Array(10 * 1024 * 1024).fill(0x61)),
      "alias bomb": await checkYaml("2.0.0", bomb),
      "1,000 deep": await checkYaml("2.0.0", Array.from({ length: 1_000 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")),
      "invalid YAML": await checkYaml("2.0.0", "replicaCount: [1,\nimage: {"),
    };
    expect(cases["10 MB"]).toMatchObject({ status: 413, body: { code: "too_large" } });
    for (const name of ["alias bomb", "1,000 deep", "invalid YAML"] as const) {
      expect(cases[name], name).toMatchObject({ status: 422, body: { code: "invalid_input", detail: expect.any(String) } });
    }
    for (const [name, { ms }] of Object.entries(cases)) expect(ms, name).toBeLessThan(1_000);
    expect((await charthouse.api("GET", comparePath("1.0.0", "2.0.0"))).status).toBe(200);
  });

  it("announces the second version's chart.version.ready with a summary against the first", async () => {
    const ready = await waitFor(
      () => received.find((e) => e.event === "chart.version.ready" && e.data["registry_id"] === registryId && e.data["version"] === "2.0.0") ?? false,
      { what: "the ready event of 2.0.0", timeoutMs: 10_000 },
    );
    const { body } = await charthouse.api<VersionComparisonJson>("GET", comparePath("1.0.0", "2.0.0"));
    expect(ready.data["summary"]).toEqual({
      previous_version: "1.0.0",
      values_added: body.values.added.length,
      values_removed: body.values.removed.length,
      values_changed: body.values.changed.length,
      images_changed: body.images.added.length + body.images.removed.length + body.images.changed.length,
      major: true,
    });
    const first = received.find((e) => e.event === "chart.version.ready" && e.data["registry_id"] === registryId && e.data["version"] === "1.0.0");
    expect(first?.data["summary"]).toBeNull();
  });

  it("is a 404 to another organisation, for comparing and for checking values", async () => {
    const org = await charthouse.api<{ token: { token: string } }>("POST", "/organizations", { name: `compare-other-${Date.now()}` });
    expect(org.status).toBe(201);
    const token = org.body.token.token;
    const other = await fetch(`${charthouse.apiUrl}/api/v1${comparePath("1.0.0", "2.0.0")}`, { headers: { authorization: `Bearer ${token}` } });
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("nginx");
    expect((await checkYaml("2.0.0", "replicaCount: 1\n", token)).status).toBe(404);
    const own = await fetch(`${charthouse.apiUrl}/api/v1/charts`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await own.json()) as PageJson<unknown>).items).toEqual([]);
  });
});
