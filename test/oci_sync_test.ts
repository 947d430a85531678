import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeChart,
  makeTempDir,
  pushChart,
  runHelm,
  startDockerRegistry,
  startRecordingProxy,
  type DockerRegistry,
  type MakeChartOptions,
  type RecordingProxy,
  waitFor,
} from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import type { ChartJson, ChartVersionJson, SyncRunJson } from "@charthouse/api-types";
import { addRegistry, getVersion, listAll, registryWhen, syncNow, versionPath } from "./support/api_waits.ts";

const schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: { replicaCount: { type: "integer", default: 1, description: "How many pods" } },
};

let charthouse: CharthouseUnderTest;
let registry: DockerRegistry;
// Every request Charthouse sends to the registry goes through this proxy, which records it.
let proxy: RecordingProxy;
const archives = new Map<string, string>();

/** Packages a chart with helm and pushes it with helm to the registry's `ns` namespace. */
async function push(options: MakeChartOptions, namespace = "ns"): Promise<string> {
  const archive = await makeChart(await makeTempDir("oci-chart"), options);
  await pushChart(archive, `${registry.host}/${namespace}`);
  archives.set(`${options.name}@${options.version}`, archive);
  return archive;
}

/** What helm show printed, less the one newline it adds after the file (fmt.Println). */
function helmPrinted(output: string): string {
  return output.endsWith("\n") ? output.slice(0, -1) : output;
}

beforeAll(async () => {
  registry = await startDockerRegistry();
  proxy = await startRecordingProxy(registry.url);
  await push({ name: "web", version: "1.0.0", readme: "# web\n\nServes pages.\n", values: "replicaCount: 1\nimage: nginx\n", schema });
  await push({ name: "web", version: "1.1.0+build.7", readme: "# web 1.1\n", values: "replicaCount: 2\n" });
  await push({ name: "db", version: "0.1.0", values: "storage: 1Gi\n" });
  charthouse = await startCharthouse();
});

afterAll(async () => {
  await charthouse?.stop();
  await proxy?.stop();
  await registry?.stop();
});

describe("an OCI registry (docker-registry) holding charts pushed by helm", () => {
  let namespaceId: string;

  it("discovers every chart repository of a namespace through _catalog and brings every version to ready", async () => {
    namespaceId = await addRegistry(charthouse, "oci-namespace", `oci://${proxy.host}/ns`);
    const ready = await registryWhen(
      charthouse,
      namespaceId,
      (r) => r.status.versions === 3 && r.status.versions_pending === 0,
      "every version to be ready",
    );
    expect(ready.status).toMatchObject({ state: "ok", charts: 2, versions_failed: 0 });
    expect(proxy.requests().some((r) => r.path.startsWith("/v2/_catalog"))).toBe(true);
    const names = (await listAll<ChartJson>(charthouse, `/registries/${namespaceId}/charts`)).map((c) => c.name);
    expect(names).toEqual(["db", "web"]);
  });

  it("serves README, values and schema equal to what helm show prints, and the verified archive", async () => {
    const archive = archives.get("web@1.0.0")!;
    const base = versionPath(namespaceId, "web", "1.0.0");
    expect((await charthouse.api<string>("GET", `${base}/readme`)).body).toBe(helmPrinted(await runHelm(["show", "readme", archive])));
    expect((await charthouse.api<string>("GET", `${base}/values`)).body).toBe(helmPrinted(await runHelm(["show", "values", archive])));
    expect((await charthouse.api<unknown>("GET", `${base}/schema`)).body).toEqual(schema);
    const tgz = await fetch(`${charthouse.apiUrl}/api/v1${base}/archive`, { headers: { authorization: `Bearer ${charthouse.token}` } });
    expect(Buffer.from(await tgz.arrayBuffer()).equals(await readFile(archive))).toBe(true);
  });

  it("reads tag 1.1.0_build.7 as version 1.1.0+build.7 and shows where each version lives", async () => {
    const versions = await listAll<ChartVersionJson & { oci_reference: string }>(charthouse, `/registries/${namespaceId}/charts/web/versions`);
    expect(versions.map((v) => [v.version, v.state])).toEqual([
      ["1.1.0+build.7", "ready"],
      ["1.0.0", "ready"],
    ]);
    expect(versions[0]?.oci_reference).toBe(`oci://${proxy.host}/ns/web:1.1.0_build.7`);
    expect(versions[0]?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("finds just one chart when the URL points at that chart's repository", async () => {
    const id = await addRegistry(charthouse, "oci-db-only", `oci://${proxy.host}/ns/db`);
    const ready = await registryWhen(charthouse, id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "db to be ready");
    expect(ready.status.charts).toBe(1);
    expect((await getVersion(charthouse, id, "db", "0.1.0")).state).toBe("ready");
  });

  it("costs one tag-list request per repository when nothing changed", async () => {
    const id = await addRegistry(charthouse, "oci-web-only", `oci://${proxy.host}/ns/web`);
    await registryWhen(charthouse, id, (r) => r.status.versions === 2 && r.status.versions_pending === 0, "web to be ready");
    // A scheduled sync (not "Sync now", which also looks for re-pushed tags) of an unchanged repository.
    await charthouse.api("PATCH", `/registries/${id}`, { sync_interval_seconds: 10 });
    const before = (await charthouse.api<{ items: { id: string }[] }>("GET", `/registries/${id}/syncs`)).body.items.length;
    proxy.clear();
    const run = await scheduledRunAfter(id, before);
    expect(run.outcome).toBe("unchanged");
    const tagRequests = proxy.requests().filter((r) => r.path.startsWith("/v2/ns/web/"));
    expect(tagRequests.map((r) => `${r.method} ${r.path.split("?")[0]} ${r.status}`)).toEqual(["GET /v2/ns/web/tags/list 200"]);
    await charthouse.api("PATCH", `/registries/${id}`, { sync_interval_seconds: 0 });
  });

  it("picks up a newly pushed tag on the next sync", async () => {
    await push({ name: "db", version: "0.2.0", values: "storage: 2Gi\n" });
    const run = await syncNow(charthouse, namespaceId);
    expect(run).toMatchObject({ outcome: "updated", versions_added: 1 });
    await registryWhen(charthouse, namespaceId, (r) => r.status.versions === 4 && r.status.versions_pending === 0, "db 0.2.0 to be ready");
    expect((await charthouse.api<string>("GET", `${versionPath(namespaceId, "db", "0.2.0")}/values`)).body).toBe("storage: 2Gi\n");
  });

  it("notices a re-pushed tag (new manifest digest) and fetches that version again", async () => {
    const before = await getVersion(charthouse, namespaceId, "db", "0.1.0");
    await push({ name: "db", version: "0.1.0", values: "storage: 9Gi\n" });
    const run = await syncNow(charthouse, namespaceId);
    expect(run.outcome).toBe("updated");
    await registryWhen(charthouse, namespaceId, (r) => r.status.versions_pending === 0, "the re-pushed version");
    const after = await getVersion(charthouse, namespaceId, "db", "0.1.0");
    expect(after.digest).not.toBe(before.digest);
    expect(after.state).toBe("ready");
    expect((await charthouse.api<string>("GET", `${versionPath(namespaceId, "db", "0.1.0")}/values`)).body).toBe("storage: 9Gi\n");
  });
});

describe("a registry that rate-limits (429 with Retry-After)", () => {
  it("slows down instead of failing, and notes `rate_limited` on the sync", async () => {
    let limited = 0;
    // The first two tag lists are refused with 429 and Retry-After: 1, as Docker Hub does.
    const throttled = await startRecordingProxy(registry.url, {
      intercept: ({ path }) =>
        path.includes("/tags/list") && limited++ < 2 ? { status: 429, headers: { "retry-after": "1", "content-type": "application/json" } } : undefined,
    });
    try {
      const id = await addRegistry(charthouse, "oci-throttled", `oci://${throttled.host}/ns/web`);
      const ready = await registryWhen(charthouse, id, (r) => r.status.versions === 2 && r.status.versions_pending === 0, "web to be ready");
      expect(ready.status.last_outcome).toBe("updated");
      const runs = (await charthouse.api<{ items: SyncRunJson[] }>("GET", `/registries/${id}/syncs`)).body.items;
      expect(runs[0]?.notes?.map((n) => n.code)).toContain("rate_limited");
      expect(throttled.requests().filter((r) => r.status === 429)).toHaveLength(2);
    } finally {
      await throttled.stop();
    }
  });
});

/** Waits until a sync that the scheduler started, after the first `before` runs, has finished. */
async function scheduledRunAfter(id: string, before: number): Promise<{ outcome: string | null }> {
  return await waitFor(
    async () => {
      const runs = (await charthouse.api<{ items: { trigger: string; outcome: string | null; finished_at: string | null }[] }>("GET", `/registries/${id}/syncs`)).body.items;
      const scheduled = runs.length > before ? runs.find((r) => r.trigger === "schedule" && r.finished_at !== null) : undefined;
      return scheduled ?? false;
    },
    { what: "a scheduled sync", timeoutMs: 30_000, intervalMs: 250 },
  );
}
