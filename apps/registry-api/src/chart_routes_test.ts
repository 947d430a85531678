import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";

let env: ApiTestEnv;
let httpRegistry: string;
let ociRegistry: string;
const archive = new Uint8Array(Buffer.from("not really a tgz, but bytes all the same"));
const archiveSha = createHash("sha256").update(archive).digest("hex");

async function seedChart(registryId: string, name: string, extra: { description?: string; keywords?: string[]; versions?: number } = {}): Promise<string> {
  const [row] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, description, keywords, versions, latest_version) VALUES ($1, $2, $3, $4, $5, '1.0.0') RETURNING id",
    [registryId, name, extra.description ?? null, extra.keywords ?? [], extra.versions ?? 1],
  );
  return row!.id;
}

async function seedVersion(chartId: string, registryId: string, version: string, fields: Record<string, unknown> = {}): Promise<void> {
  const columns = ["chart_id", "registry_id", "version", ...Object.keys(fields)];
  const values = [chartId, registryId, version, ...Object.values(fields)];
  await env.sql.query(`INSERT INTO chart_versions (${columns.join(", ")}) VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")})`, values);
}

beforeAll(async () => {
  env = await startApiTestEnv();
  const make = async (name: string, url: string): Promise<string> => {
    const res = await env.call("/api/v1/registries", { method: "POST", json: { name, url } });
    return ((await res.json()) as { id: string }).id;
  };
  httpRegistry = await make("charts-http", "https://charts.example.com");
  ociRegistry = await make("charts-oci", "oci://registry.example.com/ns");

  const app = await seedChart(httpRegistry, "app", { description: "An application", keywords: ["web"], versions: 7 });
  for (const version of ["1.0.0", "v2.0.0", "1.10.0", "2.0.0-rc.1", "1.2.0+build.5", "latest", "0.9.0"]) {
    await seedVersion(app, httpRegistry, version, { urls: [`https://charts.example.com/app-${version}.tgz`] });
  }
  await env.sql.query(`UPDATE chart_versions SET state = 'ready', archive_sha256 = $2, size = $3, readme = '# App', values_yaml = 'replicas: 1',
            values_schema = '{"type":"object"}', index_metadata = '{"keywords":["from-index"]}',
            chart_yaml = '{"name":"app","version":"1.2.0+build.5","keywords":["web"],"kubeVersion":">=1.25","type":"application","dependencies":[{"name":"redis"}],"annotations":{"a":"b"},"sources":["https://src"]}'
      WHERE registry_id = $1 AND version = '1.2.0+build.5'`,
    [httpRegistry, archiveSha, archive.byteLength],
  );
  await env.sql.query("UPDATE chart_versions SET state = 'ready', archive_sha256 = $2 WHERE registry_id = $1 AND version = '1.0.0'", [httpRegistry, archiveSha]);
  await env.archives.put(archiveSha, archive);

  await seedChart(httpRegistry, "database", { description: "Postgres for the APP", versions: 1 });
  await seedChart(httpRegistry, "gone", { versions: 0 });
  const tool = await seedChart(ociRegistry, "tool", { keywords: ["CLI"] });
  await seedVersion(tool, ociRegistry, "0.1.0", { oci_reference: "oci://registry.example.com/ns/tool:0.1.0" });
}, 60_000);
afterAll(async () => {
  await env?.close();
});

describe("charts", () => {
  it("lists charts with versions, ordered by name, filtered by registry and q", async () => {
    const all = (await (await env.call("/api/v1/charts")).json()) as { items: { name: string; registry_id: string }[] };
    expect(all.items.map((c) => c.name)).toEqual(["app", "database", "tool"]);
    const http = (await (await env.call(`/api/v1/charts?registry_id=${httpRegistry}`)).json()) as { items: { name: string }[] };
    expect(http.items.map((c) => c.name)).toEqual(["app", "database"]);
    const q = async (term: string): Promise<string[]> =>
      ((await (await env.call(`/api/v1/charts?q=${encodeURIComponent(term)}`)).json()) as { items: { name: string }[] }).items.map((c) => c.name);
    expect(await q("APP")).toEqual(["app", "database"]);
    expect(await q("cli")).toEqual(["tool"]);
    expect(await q("%")).toEqual([]);
    const own = (await (await env.call(`/api/v1/registries/${ociRegistry}/charts`)).json()) as { items: { name: string }[] };
    expect(own.items.map((c) => c.name)).toEqual(["tool"]);
    const chart = await (await env.call(`/api/v1/registries/${httpRegistry}/charts/app`)).json();
    expect(chart).toMatchObject({ registry_id: httpRegistry, name: "app", description: "An application", versions: 7, deprecated: false });
  });

  it("orders versions newest first by semver, non-semver last, across pages", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const suffix: string = cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`;
      const page = (await (await env.call(`/api/v1/registries/${httpRegistry}/charts/app/versions?limit=3${suffix}`)).json()) as {
        items: { version: string; urls?: string[] }[];
        next_cursor: string | null;
      };
      seen.push(...page.items.map((v) => v.version));
      expect(page.items.every((v) => Array.isArray(v.urls))).toBe(true);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(["v2.0.0", "2.0.0-rc.1", "1.10.0", "1.2.0+build.5", "1.0.0", "0.9.0", "latest"]);
  });

  it("answers oci_reference for OCI versions and the Chart.yaml facts of a ready version", async () => {
    const oci = (await (await env.call(`/api/v1/registries/${ociRegistry}/charts/tool/versions`)).json()) as { items: Record<string, unknown>[] };
    expect(oci.items[0]).toMatchObject({ oci_reference: "oci://registry.example.com/ns/tool:0.1.0", state: "discovered" });
    expect(oci.items[0]).not.toHaveProperty("urls");
    for (const path of ["1.2.0%2Bbuild.5", "1.2.0+build.5"]) {
      const res = await env.call(`/api/v1/registries/${httpRegistry}/charts/app/versions/${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        version: "1.2.0+build.5",
        state: "ready",
        has_readme: true,
        has_values: true,
        has_schema: true,
        keywords: ["web"],
        kube_version: ">=1.25",
        type: "application",
        dependencies: [{ name: "redis" }],
        annotations: { a: "b" },
        sources: ["https://src"],
        archive_sha256: archiveSha,
        size: archive.byteLength,
      });
    }
  });

  it("serves readme, values, schema and archive of a ready version with their media types", async () => {
    const base = `/api/v1/registries/${httpRegistry}/charts/app/versions/1.2.0%2Bbuild.5`;
    const cases = [
      ["readme", "text/markdown", "# App"],
      ["values", "application/yaml", "replicas: 1"],
      ["schema", "application/schema+json", '{"type":"object"}'],
    ] as const;
    for (const [file, type, content] of cases) {
      const res = await env.call(`${base}/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
      expect((await res.text()).replace(/\s/g, "")).toBe(content.replace(/\s/g, ""));
    }
    const tgz = await env.call(`${base}/archive`);
    expect(tgz.status).toBe(200);
    expect(tgz.headers.get("content-type")).toBe("application/gzip");
    expect(new Uint8Array(await tgz.arrayBuffer())).toEqual(archive);
  });

  it("answers not_extracted before a version is ready and not_found for a file the chart lacks", async () => {
    const pending = `/api/v1/registries/${httpRegistry}/charts/app/versions/latest`;
    for (const file of ["readme", "values", "schema", "archive"]) {
      const res = await env.call(`${pending}/${file}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ code: "not_extracted" });
    }
    const bare = `/api/v1/registries/${httpRegistry}/charts/app/versions/1.0.0`;
    expect(await (await env.call(`${bare}/readme`)).json()).toMatchObject({ status: 404, code: "not_found" });
    expect((await env.call(`${bare}/archive`)).status).toBe(200);
    expect(await (await env.call(`/api/v1/registries/${httpRegistry}/charts/app/versions/9.9.9`)).json()).toMatchObject({ code: "not_found" });
    expect((await env.call(`/api/v1/registries/${httpRegistry}/charts/nope/versions`)).status).toBe(404);
  });

  it("answers 404 to another organisation for every chart route", async () => {
    const b = { token: env.orgB.token };
    const base = `/api/v1/registries/${httpRegistry}/charts/app`;
    for (const path of [
      `/api/v1/registries/${httpRegistry}/charts`,
      base,
      `${base}/versions`,
      `${base}/versions/1.2.0%2Bbuild.5`,
      `${base}/versions/1.2.0%2Bbuild.5/readme`,
      `${base}/versions/1.2.0%2Bbuild.5/values`,
      `${base}/versions/1.2.0%2Bbuild.5/schema`,
      `${base}/versions/1.2.0%2Bbuild.5/archive`,
      `/api/v1/charts?registry_id=${httpRegistry}`,
    ]) {
      const res = await env.call(path, b);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
    const all = (await (await env.call("/api/v1/charts", b)).json()) as { items: unknown[] };
    expect(all.items).toEqual([]);
  });
});
