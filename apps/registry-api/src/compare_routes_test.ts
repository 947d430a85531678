import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ValuesCheckJson, VersionComparisonJson } from "@charthouse/api-types";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { maxRequestBodyBytes } from "./request_body.ts";

let env: ApiTestEnv;
let registryId: string;

const v1 = {
  chartYaml: { name: "web", version: "1.0.0", appVersion: "1.25.0", dependencies: [{ name: "common", version: "1.x" }] },
  values: "image:\n  repository: nginx\n  tag: '1.25'\nlegacy:\n  enabled: true\nreplicaCount: 1\n",
  schema: { type: "object", properties: { replicaCount: { type: "string" }, legacy: { type: "object" } } },
};
const v2 = {
  chartYaml: {
    name: "web",
    version: "2.0.0",
    appVersion: "1.27.0",
    dependencies: [{ name: "common", version: "2.x" }, { name: "redis", version: "^18", condition: "redis.enabled" }],
    annotations: { "artifacthub.io/changes": "- kind: changed\n  description: nginx 1.27\n", "artifacthub.io/images": "- name: redis\n  image: redis:7.2\n" },
  },
  values: "image:\n  repository: nginx\n  tag: '1.27'\nmetrics:\n  port: 9090\nreplicaCount: 1\n",
  schema: {
    type: "object",
    properties: { replicaCount: { type: "integer", minimum: 1 }, metrics: { type: "object", properties: { port: { type: "integer" } } } },
  },
};
const v15Changes = "- kind: added\n  description: a middle version\n";

const compare = (from: string, to: string, registry = registryId, token?: string): Promise<Response> =>
  env.call(`/api/v1/registries/${registry}/charts/web/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, token === undefined ? {} : { token });
const check = (version: string, init: RequestInit & { json?: unknown; token?: string }): Promise<Response> =>
  env.call(`/api/v1/registries/${registryId}/charts/web/versions/${encodeURIComponent(version)}/check-values`, { method: "POST", ...init });
const yaml = (text: string): RequestInit => ({ headers: { "content-type": "application/yaml" }, body: text });

beforeAll(async () => {
  env = await startApiTestEnv();
  const res = await env.call("/api/v1/registries", { method: "POST", json: { name: "compare", url: "https://compare.example.com" } });
  registryId = ((await res.json()) as { id: string }).id;
  const [chart] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, versions) VALUES ($1, 'web', 4) RETURNING id", [registryId]);
  const insert = (version: string, state: string, fields: { chartYaml?: unknown; values?: string | null; schema?: unknown } = {}): Promise<unknown> =>
    env.sql.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256, chart_yaml, values_yaml, values_schema)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [chart!.id, registryId, version, state, state === "ready" ? `sha-${version}` : null, fields.chartYaml === undefined ? null : JSON.stringify(fields.chartYaml),
        fields.values ?? null, fields.schema === undefined ? null : JSON.stringify(fields.schema)],
    );
  await insert("1.0.0", "ready", { chartYaml: v1.chartYaml, values: v1.values, schema: v1.schema });
  await insert("1.5.0", "ready", { chartYaml: { name: "web", version: "1.5.0", annotations: { "artifacthub.io/changes": v15Changes } }, values: v1.values });
  await insert("2.0.0", "ready", { chartYaml: v2.chartYaml, values: v2.values, schema: v2.schema });
  await insert("3.0.0", "discovered");
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe("GET /registries/{id}/charts/{name}/compare", () => {
  it("answers what changed from one ready version to another, with the changelog of the versions between", async () => {
    const res = await compare("1.0.0", "2.0.0");
    expect(res.status).toBe(200);
    const body = (await res.json()) as VersionComparisonJson;
    expect(body).toMatchObject({ chart: "web", from: "1.0.0", to: "2.0.0" });
    expect(body.values).toEqual({
      added: [{ path: "metrics.port", new: 9090 }],
      removed: [{ path: "legacy.enabled", old: true }],
      changed: [{ path: "image.tag", old: "1.25", new: "1.27" }],
    });
    expect(body.schema.added).toEqual([{ path: "metrics" }]);
    expect(body.schema.removed).toEqual([{ path: "legacy" }]);
    expect(body.schema.changed).toEqual([{ path: "replicaCount", field: "type", old: "string", new: "integer" }]);
    expect(body.chart_yaml.changed).toContainEqual({ field: "appVersion", old: "1.25.0", new: "1.27.0" });
    expect(body.chart_yaml.dependencies.added).toEqual([{ name: "redis", version: "^18", condition: "redis.enabled" }]);
    expect(body.chart_yaml.dependencies.changed).toEqual([{ name: "common", old: { version: "1.x" }, new: { version: "2.x" } }]);
    expect(body.images).toEqual({
      from: ["nginx:1.25"],
      to: ["nginx:1.27", "redis:7.2"],
      added: ["redis:7.2"],
      removed: [],
      changed: [{ repository: "nginx", old: "1.25", new: "1.27" }],
    });
    expect(body.changelog).toEqual([
      { version: "2.0.0", kind: "changed", description: "nginx 1.27" },
      { version: "1.5.0", kind: "added", description: "a middle version" },
    ]);
  });

  it("compares in either order, and a version against itself is empty", async () => {
    const back = (await (await compare("2.0.0", "1.0.0")).json()) as VersionComparisonJson;
    expect(back.values.added).toEqual([{ path: "legacy.enabled", new: true }]);
    expect(back.changelog.map((entry) => entry.version)).toEqual(["2.0.0", "1.5.0"]);
    const same = (await (await compare("2.0.0", "2.0.0")).json()) as VersionComparisonJson;
    expect(same.values).toEqual({ added: [], removed: [], changed: [] });
    expect(same.schema).toEqual({ added: [], removed: [], changed: [] });
    expect(same.images.changed).toEqual([]);
    expect(same.changelog).toEqual([]);
  });

  it("answers the same again from what it read before", async () => {
    const first = await (await compare("1.0.0", "2.0.0")).json();
    const again = await (await compare("1.0.0", "2.0.0")).json();
    expect(again).toEqual(first);
  });

  it("is a 404 for an unknown or not ready version, another organisation's chart, and a 422 without from or to", async () => {
    const unknown = await compare("1.0.0", "9.9.9");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: "not_found", detail: expect.stringContaining("9.9.9") });
    const notReady = await compare("3.0.0", "1.0.0");
    expect(notReady.status).toBe(404);
    expect(await notReady.json()).toMatchObject({ code: "not_extracted" });
    const other = await compare("1.0.0", "2.0.0", registryId, env.orgB.token);
    expect(other.status).toBe(404);
    expect(JSON.stringify(await other.json())).not.toContain("nginx");
    const missing = await env.call(`/api/v1/registries/${registryId}/charts/web/compare?from=1.0.0`);
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ code: "invalid_input", errors: [{ field: "to", message: "is required" }] });
  });
});

describe("POST /registries/{id}/charts/{name}/versions/{version}/check-values", () => {
  it("reports unknown keys and schema errors of a YAML body and of a JSON body alike", async () => {
    const values = "replicaCount: 0\nmetrics:\n  port: high\nlegacy:\n  enabled: true\nglobal:\n  anything: 1\n";
    const fromYaml = await check("2.0.0", yaml(values));
    expect(fromYaml.status).toBe(200);
    const body = (await fromYaml.json()) as ValuesCheckJson;
    expect(body.unknown_keys).toEqual([{ path: "legacy" }]);
    expect(body.schema_errors.map((error) => error.path).sort()).toEqual(["/metrics/port", "/replicaCount"]);
    const fromJson = await check("2.0.0", { json: { values } });
    expect(await fromJson.json()).toEqual(body);
    const clean = await check("2.0.0", yaml("replicaCount: 3\n"));
    expect(await clean.json()).toEqual({ unknown_keys: [], schema_errors: [] });
  });

  it("refuses hostile bodies with a clear problem, each within a second", async () => {
    const timed = async (init: RequestInit & { json?: unknown }): Promise<{ status: number; code: string; ms: number }> => {
      const started = performance.now();
      const res = await check("2.0.0", init);
      const problem = (await res.json()) as { code: string };
      return { status: res.status, code: problem.code, ms: performance.now() - started };
    };
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join("\n");
    const cases = {
      tooLarge: await timed(yaml(`a: "${"x".repeat(maxRequestBodyBytes)}"\n`)),
      tooLargeJson: await timed({ json: { values: "x".repeat(maxRequestBodyBytes) } }),
      bomb: await timed(yaml(bomb)),
      deep: await timed(yaml(`${"[".repeat(1_000)}${"]".repeat(1_000)}`)),
      deepMaps: await timed(yaml(Array.from({ length: 1_000 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n"))),
      invalid: await timed(yaml("a: [unclosed\nb: {")),
      notAMap: await timed(yaml("- a list\n")),
      noValues: await timed({ json: { value: "a: 1" } }),
      plainText: await timed({ headers: { "content-type": "text/plain" }, body: "a: 1" }),
    };
    expect(cases.tooLarge).toMatchObject({ status: 413, code: "too_large" });
    expect(cases.tooLargeJson).toMatchObject({ status: 413, code: "too_large" });
    for (const name of ["bomb", "deep", "deepMaps", "invalid", "notAMap", "noValues", "plainText"] as const) {
      expect(cases[name], name).toMatchObject({ status: 422, code: "invalid_input" });
    }
    for (const [name, { ms }] of Object.entries(cases)) expect(ms, name).toBeLessThan(1_000);
  });

  it("is a 404 for a version that is not ready or another organisation's, and needs only the read scope", async () => {
    expect((await check("3.0.0", yaml("a: 1"))).status).toBe(404);
    expect((await check("9.9.9", yaml("a: 1"))).status).toBe(404);
    expect((await check("2.0.0", { ...yaml("a: 1"), token: env.orgB.token })).status).toBe(404);
  });
});
