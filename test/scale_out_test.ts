import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";

interface Registry {
  id: string;
  status: { versions: number; versions_pending: number; versions_failed: number };
}

// Two copies of every service (scheduler, index-fetcher, downloader, extractor and API) share
// the same registries: nothing may be written twice, lost, or downloaded twice for one registry.
let charthouse: CharthouseUnderTest;
const repositories: { folder: ChartRepositoryFolder; nginx: NginxServer }[] = [];

beforeAll(async () => {
  for (const prefix of ["alpha", "beta", "gamma"]) {
    const folder = await makeChartRepository(
      ["1.0.0", "1.1.0", "2.0.0"].flatMap((version) => [
        { name: `${prefix}-web`, version, values: `version: ${version}\n` },
        { name: `${prefix}-db`, version, values: `version: ${version}\n` },
      ]),
    );
    repositories.push({ folder, nginx: await startNginx({ root: folder.root }) });
  }
  charthouse = await startCharthouse({ copies: 2 });
});

afterAll(async () => {
  await charthouse?.stop();
  for (const { nginx } of repositories) await nginx.stop();
});

async function allReady(ids: readonly string[], versions: readonly number[]): Promise<void> {
  await waitFor(
    async () => {
      const registries = await Promise.all(ids.map(async (id) => (await charthouse.api<Registry>("GET", `/registries/${id}`)).body));
      return registries.every(
        (r, i) => r.status.versions === versions[i] && r.status.versions_pending === 0 && r.status.versions_failed === 0,
      );
    },
    { what: "every version of every registry to be ready", timeoutMs: 90_000, intervalMs: 250 },
  );
}

async function versionRowsPerKey(): Promise<{ duplicates: number; total: number }> {
  const client = new pg.Client({ connectionString: charthouse.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS total, (count(*) - count(DISTINCT (v.registry_id, c.name, v.version)))::int AS duplicates
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id`,
    );
    return rows[0] as { duplicates: number; total: number };
  } finally {
    await client.end();
  }
}

describe("two copies of every service", () => {
  it("sync the same registries with no duplicated row, no version lost and no archive downloaded twice for one registry", async () => {
    const ids: string[] = [];
    // Each repository twice (two names, same URL). Copies of the downloader never fetch an archive
    // twice for one registry; two registries share what is stored, but neither waits on the
    // other's download in flight (a slow registry must not hold up another's chart), so an
    // archive both ask for at the same moment may be fetched once by each.
    for (const [i, { nginx }] of repositories.entries()) {
      for (const copy of ["a", "b"]) {
        const created = await charthouse.api<Registry>("POST", "/registries", {
          name: `repo-${i}-${copy}`,
          url: nginx.url,
          sync_interval_seconds: 10,
        });
        expect(created.status).toBe(201);
        ids.push(created.body.id);
      }
    }
    await allReady(ids, ids.map(() => 6));

    // New versions are found by the scheduled syncs of both scheduler copies.
    await repositories[0]!.folder.add({ name: "alpha-web", version: "3.0.0", values: "version: 3.0.0\n" });
    await repositories[2]!.folder.add({ name: "gamma-db", version: "3.0.0", values: "version: 3.0.0\n" });
    await allReady(ids, [7, 7, 6, 6, 7, 7]);

    expect(await versionRowsPerKey()).toEqual({ duplicates: 0, total: 40 });
    for (const { nginx } of repositories) {
      const archives = (await nginx.accessLog()).filter((r) => r.path.endsWith(".tgz"));
      const perPath = new Map<string, number>();
      for (const r of archives) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
      expect([...perPath.values()].every((n) => n <= 2), JSON.stringify([...perPath])).toBe(true);
      expect(perPath.size).toBeGreaterThanOrEqual(6);
    }
  });
});
