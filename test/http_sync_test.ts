import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHelm, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { registryWhen as waitForRegistry, syncNow as syncAndWait } from "./support/api_waits.ts";
import type { PageJson, RegistryJson } from "@charthouse/api-types";

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: { replicaCount: { type: "integer", default: 1, description: "How many pods" } },
};

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let nginx: NginxServer;

const registryWhen = (id: string, done: (r: RegistryJson) => boolean, what: string) => waitForRegistry(charthouse, id, done, what);
const syncNow = (id: string) => syncAndWait(charthouse, id);

/** What helm show printed, less the one newline it adds after the file (fmt.Println). */
function helmPrinted(output: string): string {
  return output.endsWith("\n") ? output.slice(0, -1) : output;
}

async function versionRowsWrittenSince(since: Date): Promise<number> {
  const client = new pg.Client({ connectionString: charthouse.databaseUrl });
  await client.connect();
  try {
    const result = await client.query("SELECT count(*)::int AS n FROM chart_versions WHERE updated_at > $1", [since]);
    return (result.rows[0] as { n: number }).n;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  repository = await makeChartRepository([
    { name: "web", version: "1.0.0", readme: "# web\n\nServes pages.\n", values: "replicaCount: 1\nimage: nginx\n", schema },
    { name: "web", version: "1.1.0+build.7", readme: "# web 1.1\n", values: "replicaCount: 2\n" },
    { name: "db", version: "0.1.0", values: "storage: 1Gi\n" },
  ]);
  nginx = await startNginx({ root: repository.root, gzip: true });
  charthouse = await startCharthouse();
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
});

describe("an HTTP chart repository served by nginx, charts made by helm", () => {
  let registryId: string;

  it("syncs every version to ready after the registry is added through the API", async () => {
    const created = await charthouse.api<RegistryJson>("POST", "/registries", { name: "local-charts", url: `${nginx.url}/` });
    expect(created.status).toBe(201);
    registryId = created.body.id;
    const ready = await registryWhen(
      registryId,
      (r) => r.status.versions === 3 && r.status.versions_pending === 0,
      "every version to be ready",
    );
    expect(ready.status.versions_failed).toBe(0);
    expect(ready.status.state).toBe("ok");
  });

  it("serves README, values and schema equal to what helm show prints for the same archive", async () => {
    const archive = `${repository.root}/web-1.0.0.tgz`;
    const readme = await charthouse.api<string>("GET", `/registries/${registryId}/charts/web/versions/1.0.0/readme`);
    expect(readme.status).toBe(200);
    expect(readme.body).toBe(helmPrinted(await runHelm(["show", "readme", archive])));
    const values = await charthouse.api<string>("GET", `/registries/${registryId}/charts/web/versions/1.0.0/values`);
    expect(values.body).toBe(helmPrinted(await runHelm(["show", "values", archive])));
    const served = await charthouse.api<unknown>("GET", `/registries/${registryId}/charts/web/versions/1.0.0/schema`);
    expect(served.body).toEqual(schema);
    const tgz = await fetch(`${charthouse.apiUrl}/api/v1/registries/${registryId}/charts/web/versions/1.0.0/archive`, {
      headers: { authorization: `Bearer ${charthouse.token}` },
    });
    expect(Buffer.from(await tgz.arrayBuffer()).equals(await readFile(archive))).toBe(true);
  });

  it("keeps +build versions and orders versions newest first", async () => {
    const versions = await charthouse.api<PageJson<{ version: string; state: string }>>(
      "GET",
      `/registries/${registryId}/charts/web/versions`,
    );
    expect(versions.body.items.map((v) => v.version)).toEqual(["1.1.0+build.7", "1.0.0"]);
    const one = await charthouse.api<{ state: string }>(
      "GET",
      `/registries/${registryId}/charts/web/versions/${encodeURIComponent("1.1.0+build.7")}`,
    );
    expect(one.body.state).toBe("ready");
  });

  it("ends an unchanged sync on a 304 without writing version rows", async () => {
    await nginx.clearAccessLog();
    const before = new Date();
    const run = await syncNow(registryId);
    expect(run.outcome).toBe("unchanged");
    expect(run.http_status).toBe(304);
    const requests = await nginx.accessLog();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ path: "/index.yaml", status: 304, ifNoneMatch: true });
    expect(await versionRowsWrittenSince(before)).toBe(0);
  });

  it("picks up a version published to the repository on the next sync", async () => {
    await repository.add({ name: "db", version: "0.2.0", values: "storage: 2Gi\n" });
    const run = await syncNow(registryId);
    expect(run.outcome).toBe("updated");
    expect(run.versions_added).toBe(1);
    await registryWhen(registryId, (r) => r.status.versions === 4 && r.status.versions_pending === 0, "the new version");
    const values = await charthouse.api<string>("GET", `/registries/${registryId}/charts/db/versions/0.2.0/values`);
    expect(values.body).toBe("storage: 2Gi\n");
  });
});

describe("every service", () => {
  it("answers /healthz, /readyz and /metrics, and the API publishes its OpenAPI document", async () => {
    for (const [service, port] of charthouse.ports) {
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status, service).toBe(200);
      await waitFor(async () => (await fetch(`${base}/readyz`)).ok, { what: `${service} to be ready` });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics, service).toContain(`service="${service}"`);
      if (["index-fetcher", "chart-downloader", "metadata-extractor"].includes(service)) {
        expect(metrics, service).toMatch(/charthouse_messages_total\{[^}]*outcome="ack"[^}]*\} [1-9]/);
      }
    }
    const openapi = await fetch(`${charthouse.apiUrl}/api/v1/openapi.json`);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\.1/);
  });
});

describe("a repository server without validators (ChartMuseum, Nexus)", () => {
  it("ends an unchanged sync on the content hash", async () => {
    const plain = await startNginx({ root: repository.root, validators: false });
    try {
      const created = await charthouse.api<RegistryJson>("POST", "/registries", { name: "no-validators", url: plain.url });
      await registryWhen(created.body.id, (r) => r.status.versions === 4 && r.status.versions_pending === 0, "first sync");
      await plain.clearAccessLog();
      const before = new Date();
      const run = await syncNow(created.body.id);
      expect(run.outcome).toBe("unchanged");
      expect(run.http_status).toBe(200);
      const requests = await plain.accessLog();
      expect(requests.map((r) => [r.path, r.status])).toEqual([["/index.yaml", 200]]);
      expect(await versionRowsWrittenSince(before)).toBe(0);
    } finally {
      await plain.stop();
    }
  });
});
