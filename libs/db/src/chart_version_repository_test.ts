import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IndexedChart, IndexedVersion } from "@charthouse/catalog";
import type { StoredError } from "@charthouse/errors";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { ChartVersionRepository } from "./chart_version_repository.ts";
import { attachSealedCredential } from "./repository_fixtures_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let versions: ChartVersionRepository;

beforeAll(async () => {
  database = await createTestDatabase("ch_chart_versions");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  versions = new ChartVersionRepository(sql);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

const SHA_A = "a".repeat(64);
const SHA_B = "b".repeat(64);
const failure = (code: string): StoredError => ({ code, message: `It failed with ${code}`, cause: null, solution: "Try again" });

/** Version `version` of chart `web` as an index publishes it. */
function indexed(version: string, overrides: Partial<IndexedVersion> = {}): IndexedVersion {
  return {
    chart: "web",
    version,
    digest: SHA_A,
    appVersion: "1.0",
    description: "A web server",
    created: "2026-01-01T00:00:00Z",
    deprecated: false,
    urls: [`https://charts.example.invalid/web-${version}.tgz`],
    downloadUrl: `https://charts.example.invalid/web-${version}.tgz`,
    indexMetadata: { version },
    ...overrides,
  };
}

/** A version of the fixture's chart in `state`, last touched `minutesAgo`, failed with `code` when given. */
async function insertVersion(
  fixture: ChartFixture,
  state: string,
  options: { minutesAgo?: number; code?: string; version?: string } = {},
): Promise<string> {
  const settled = state === "downloaded" || state === "ready";
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO chart_versions (chart_id, registry_id, version, state, digest, download_url, error, archive_sha256, size,
            chart_yaml, removed_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'https://charts.example.invalid/web.tgz', $6, $7, $8, $9, $10, now() - make_interval(mins => $11))
     RETURNING id`,
    [
      fixture.chartId,
      fixture.registryId,
      options.version ?? `1.0.0-${randomUUID()}`,
      state,
      SHA_A,
      options.code ? JSON.stringify(failure(options.code)) : null,
      settled ? SHA_A : null,
      settled ? 10 : null,
      state === "ready" ? JSON.stringify({ name: "web" }) : null,
      state === "removed" ? new Date() : null,
      options.minutesAgo ?? 0,
    ],
  );
  if (!row) throw new Error("Cannot insert a version");
  return row.id;
}

interface VersionRow {
  state: string;
  digest: string | null;
  deprecated: boolean;
  description: string | null;
  attempts: number;
  requeues: number;
  error: StoredError | null;
  archive_sha256: string | null;
  size: string | null;
  chart_yaml: unknown;
  readme: string | null;
  values_schema: unknown;
  removed_at: Date | null;
}

/** The stored row of a version, as the catalog and the workers see it. */
async function rowOf(id: string): Promise<VersionRow> {
  const [row] = await sql.query<VersionRow>(
    `SELECT state, digest, deprecated, description, attempts, requeues, error, archive_sha256, size, chart_yaml, readme,
            values_schema, removed_at
       FROM chart_versions WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`Version ${id} is gone`);
  return row;
}

const noChanges = { added: [], refetch: [], updated: [], removedIds: [] };

describe("ChartVersionRepository.applyVersions()", () => {
  it("stores added versions as discovered and returns them to be downloaded", async () => {
    const fixture = await insertChartFixture(sql, "added");
    const pending = await versions.applyVersions(fixture.registryId, { ...noChanges, added: [indexed("1.0.0"), indexed("1.1.0")] });
    expect(pending.map((v) => v.version).sort()).toEqual(["1.0.0", "1.1.0"]);
    expect(pending[0]).toMatchObject({ chart: "web", digest: SHA_A, requeues: 0 });
    expect(pending.find((v) => v.version === "1.1.0")?.downloadUrl).toBe("https://charts.example.invalid/web-1.1.0.tgz");
    const stored = await versions.storedVersions(fixture.registryId);
    expect(stored.map((v) => [v.version, v.state]).sort()).toEqual([
      ["1.0.0", "discovered"],
      ["1.1.0", "discovered"],
    ]);
  });

  it("does not return a version a retried slice adds again, and pendingDownloads() still finds it", async () => {
    const fixture = await insertChartFixture(sql, "retried");
    await versions.applyVersions(fixture.registryId, { ...noChanges, added: [indexed("2.0.0")] });
    expect(await versions.applyVersions(fixture.registryId, { ...noChanges, added: [indexed("2.0.0")] })).toEqual([]);
    expect((await versions.pendingDownloads(fixture.registryId)).map((v) => v.version)).toEqual(["2.0.0"]);
    expect(await versions.storedVersions(fixture.registryId)).toHaveLength(1);
  });

  it("refetch sends a re-published or returning version back to discovered with its new digest and a new round", async () => {
    const fixture = await insertChartFixture(sql, "refetch");
    const republished = await insertVersion(fixture, "ready", { code: "old", version: "3.0.0" });
    const returning = await insertVersion(fixture, "removed", { version: "3.1.0" });
    const pending = await versions.applyVersions(fixture.registryId, {
      ...noChanges,
      refetch: [
        { ...indexed("3.0.0", { digest: SHA_B }), id: republished },
        { ...indexed("3.1.0"), id: returning },
      ],
    });
    expect(pending.map((v) => [v.id, v.requeues]).sort()).toEqual([[republished, 1], [returning, 1]].sort());
    expect(await rowOf(republished)).toMatchObject({
      state: "discovered",
      digest: SHA_B,
      error: null,
      attempts: 0,
      archive_sha256: null,
      size: null,
      chart_yaml: null,
    });
    expect(await rowOf(returning)).toMatchObject({ state: "discovered", removed_at: null });
  });

  it("updated changes index facts in place and keeps the downloaded archive", async () => {
    const fixture = await insertChartFixture(sql, "updated");
    const id = await insertVersion(fixture, "ready", { version: "4.0.0" });
    const pending = await versions.applyVersions(fixture.registryId, {
      ...noChanges,
      updated: [{ ...indexed("4.0.0", { deprecated: true, description: "Use web2" }), id }],
    });
    expect(pending).toEqual([]);
    expect(await rowOf(id)).toMatchObject({ state: "ready", deprecated: true, description: "Use web2", archive_sha256: SHA_A });
  });

  it("removed tombstones versions with the time they went and no longer offers them for download", async () => {
    const fixture = await insertChartFixture(sql, "removed");
    const id = await insertVersion(fixture, "discovered", { version: "5.0.0" });
    await versions.applyVersions(fixture.registryId, { ...noChanges, removedIds: [id] });
    const row = await rowOf(id);
    expect(row.state).toBe("removed");
    expect(row.removed_at).toBeInstanceOf(Date);
    expect(await versions.pendingDownloads(fixture.registryId)).toEqual([]);
  });
});

describe("ChartVersionRepository.upsertCharts()", () => {
  const chart = (name: string, versions: number): IndexedChart => ({
    name,
    description: null,
    icon: null,
    home: null,
    keywords: ["web"],
    latestVersion: "1.0.0",
    appVersion: null,
    deprecated: false,
    versions,
  });
  const counts = async (registryId: string): Promise<Record<string, number>> =>
    Object.fromEntries(
      (await sql.query<{ name: string; versions: number }>("SELECT name, versions FROM charts WHERE registry_id = $1", [registryId])).map(
        (c) => [c.name, c.versions],
      ),
    );

  it("zeroes the charts a complete index no longer lists, and leaves them when the list is partial", async () => {
    const fixture = await insertChartFixture(sql, "charts");
    await versions.upsertCharts(fixture.registryId, [chart("web", 2), chart("api", 3)]);
    expect(await counts(fixture.registryId)).toEqual({ web: 2, api: 3 });
    await versions.upsertCharts(fixture.registryId, [chart("api", 4)], { complete: false });
    expect(await counts(fixture.registryId)).toEqual({ web: 2, api: 4 });
    await versions.upsertCharts(fixture.registryId, [chart("api", 4)]);
    expect(await counts(fixture.registryId)).toEqual({ web: 0, api: 4 });
  });
});

describe("ChartVersionRepository downloads", () => {
  it("pendingDownloads() lists only the registry's versions waiting for their archive", async () => {
    const fixture = await insertChartFixture(sql, "pending");
    const other = await insertChartFixture(sql, "pending-other");
    const waiting = await insertVersion(fixture, "discovered");
    await insertVersion(fixture, "downloaded");
    await insertVersion(fixture, "ready");
    await insertVersion(fixture, "failed", { code: "timeout" });
    await insertVersion(other, "discovered");
    const pending = await versions.pendingDownloads(fixture.registryId);
    expect(pending.map((v) => v.id)).toEqual([waiting]);
    expect(pending[0]).toMatchObject({ chart: "web", digest: SHA_A, downloadUrl: "https://charts.example.invalid/web.tgz", requeues: 0 });
  });

  it("work() returns the version with its registry and sealed credential, and null for a version that is gone", async () => {
    const fixture = await insertChartFixture(sql, "work");
    const credential = await attachSealedCredential(sql, fixture);
    const id = await insertVersion(fixture, "downloaded", { version: "6.0.0" });
    const work = await versions.work(id);
    expect(work).toMatchObject({
      id,
      state: "downloaded",
      chart: "web",
      version: "6.0.0",
      digest: SHA_A,
      archiveSha256: SHA_A,
      size: 10,
      requeues: 0,
      registry: { id: fixture.registryId, organizationId: fixture.organizationId, url: "https://work.example.invalid", credential },
    });
    expect(Math.abs((work?.discoveredAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await versions.work(randomUUID())).toBeNull();
  });

  it("work() of a registry without a credential carries none", async () => {
    const fixture = await insertChartFixture(sql, "anonymous");
    const id = await insertVersion(fixture, "discovered");
    expect((await versions.work(id))?.registry.credential).toBeNull();
  });
});

describe("ChartVersionRepository state changes", () => {
  let fixture: ChartFixture;
  beforeAll(async () => {
    fixture = await insertChartFixture(sql, "states");
  });

  it("markDownloaded() moves a discovered or failed version to downloaded with its archive, and nothing else", async () => {
    const discovered = await insertVersion(fixture, "discovered", { code: "timeout" });
    const failed = await insertVersion(fixture, "failed", { code: "timeout" });
    const ready = await insertVersion(fixture, "ready");
    const removed = await insertVersion(fixture, "removed");
    expect(await versions.markDownloaded(discovered, SHA_B, 1234)).toBe(true);
    expect(await rowOf(discovered)).toMatchObject({ state: "downloaded", archive_sha256: SHA_B, size: "1234", error: null });
    expect(await versions.markDownloaded(failed, SHA_B, 1)).toBe(true);
    expect(await versions.markDownloaded(ready, SHA_B, 1)).toBe(false);
    expect(await rowOf(ready)).toMatchObject({ state: "ready", archive_sha256: SHA_A });
    expect(await versions.markDownloaded(removed, SHA_B, 1)).toBe(false);
    expect((await rowOf(removed)).state).toBe("removed");
  });

  it("markReady() stores what the archive holds on a downloaded version only", async () => {
    const downloaded = await insertVersion(fixture, "downloaded");
    const discovered = await insertVersion(fixture, "discovered");
    const metadata = {
      chartYaml: { name: "web", version: "1.0.0" },
      readme: "# web",
      valuesYaml: "replicas: 1\n",
      valuesSchema: { type: "object" },
      valuesSchemaError: null,
    };
    expect(await versions.markReady(downloaded, metadata)).toBe(true);
    expect(await rowOf(downloaded)).toMatchObject({
      state: "ready",
      chart_yaml: { name: "web", version: "1.0.0" },
      readme: "# web",
      values_schema: { type: "object" },
      error: null,
    });
    expect(await versions.markReady(discovered, metadata)).toBe(false);
    expect(await rowOf(discovered)).toMatchObject({ state: "discovered", chart_yaml: null });
    expect(await versions.markReady(downloaded, { ...metadata, readme: "again" })).toBe(false);
    expect((await rowOf(downloaded)).readme).toBe("# web");
  });

  it("markReady() keeps a version without a values schema without one", async () => {
    const downloaded = await insertVersion(fixture, "downloaded");
    const metadata = { chartYaml: { name: "web" }, readme: null, valuesYaml: null, valuesSchema: null, valuesSchemaError: "bad json" };
    expect(await versions.markReady(downloaded, metadata)).toBe(true);
    expect(await rowOf(downloaded)).toMatchObject({ state: "ready", values_schema: null, readme: null });
  });

  it("recordRetry() counts the attempt and shows its error while the version stays in flight", async () => {
    const discovered = await insertVersion(fixture, "discovered");
    const failed = await insertVersion(fixture, "failed", { code: "old" });
    await versions.recordRetry(discovered, failure("timeout"));
    await versions.recordRetry(discovered, failure("registry_error"));
    expect(await rowOf(discovered)).toMatchObject({ state: "discovered", attempts: 2, error: failure("registry_error") });
    await versions.recordRetry(failed, failure("timeout"));
    expect(await rowOf(failed)).toMatchObject({ state: "failed", attempts: 0, error: failure("old") });
  });

  it("markFailed() fails one or many versions with one error, but never a removed one", async () => {
    const one = await insertVersion(fixture, "discovered");
    const two = await insertVersion(fixture, "downloaded");
    const removed = await insertVersion(fixture, "removed");
    await versions.markFailed(one, failure("digest_mismatch"));
    expect(await rowOf(one)).toMatchObject({ state: "failed", attempts: 1, error: failure("digest_mismatch") });
    await versions.markFailed([two, removed], failure("too_large"));
    expect(await rowOf(two)).toMatchObject({ state: "failed", attempts: 1, error: failure("too_large") });
    expect(await rowOf(removed)).toMatchObject({ state: "removed", attempts: 0, error: null });
    await versions.markFailed([], failure("unused"));
  });
});

describe("ChartVersionRepository re-opening", () => {
  it("reopen() sends failed and in-flight versions back to discovered once, without their archive, and nothing for no ids", async () => {
    const fixture = await insertChartFixture(sql, "reopen");
    const failed = await insertVersion(fixture, "failed", { code: "timeout" });
    const downloaded = await insertVersion(fixture, "downloaded");
    const removed = await insertVersion(fixture, "removed");
    await sql.query("UPDATE chart_versions SET attempts = 3 WHERE id = $1", [failed]);
    const reopened = await versions.reopen([failed, downloaded, removed]);
    expect(reopened.map((v) => v.id).sort()).toEqual([failed, downloaded].sort());
    expect(reopened.every((v) => v.registryId === fixture.registryId && v.requeues === 1)).toBe(true);
    expect(await rowOf(failed)).toMatchObject({ state: "discovered", attempts: 0, requeues: 1 });
    expect(await rowOf(downloaded)).toMatchObject({ state: "discovered", archive_sha256: null, size: null });
    expect((await rowOf(removed)).state).toBe("removed");
    expect(await versions.reopen([])).toEqual([]);
  });

  it("reopenFailed() re-opens every failed version of the registry and of no other", async () => {
    const fixture = await insertChartFixture(sql, "reopen-failed");
    const other = await insertChartFixture(sql, "reopen-failed-other");
    const failedA = await insertVersion(fixture, "failed", { code: "digest_mismatch" });
    const failedB = await insertVersion(fixture, "failed", { code: "timeout" });
    await insertVersion(fixture, "ready");
    const elsewhere = await insertVersion(other, "failed", { code: "timeout" });
    const reopened = await versions.reopenFailed(fixture.registryId);
    expect(reopened.map((v) => v.id).sort()).toEqual([failedA, failedB].sort());
    expect((await rowOf(failedA)).state).toBe("discovered");
    expect((await rowOf(elsewhere)).state).toBe("failed");
    expect(await versions.reopenFailed(fixture.registryId)).toEqual([]);
  });

  it("reopenRetryable() takes the oldest passing failures first, at most the limit", async () => {
    const fixture = await insertChartFixture(sql, "retryable");
    // A code no other test uses: this sweep sees only this test's failures.
    const code = `passing_${randomUUID()}`;
    const oldest = await insertVersion(fixture, "failed", { code, minutesAgo: 300 });
    const older = await insertVersion(fixture, "failed", { code, minutesAgo: 200 });
    const old = await insertVersion(fixture, "failed", { code, minutesAgo: 100 });
    const recent = await insertVersion(fixture, "failed", { code, minutesAgo: 1 });
    const options = { codes: [code], olderThanSeconds: 3600, limit: 2 };
    expect((await versions.reopenRetryable(options)).map((v) => v.id).sort()).toEqual([oldest, older].sort());
    expect((await versions.reopenRetryable(options)).map((v) => v.id)).toEqual([old]);
    expect(await versions.reopenRetryable(options)).toEqual([]);
    expect(await rowOf(oldest)).toMatchObject({ state: "discovered", requeues: 1 });
    expect((await rowOf(recent)).state).toBe("failed");
  });

  it("claimStuck() hands out the longest-stuck versions in flight with what resuming them needs, at most the limit", async () => {
    const fixture = await insertChartFixture(sql, "stuck");
    // Older than anything else in this database, so the limit picks these first.
    const downloaded = await insertVersion(fixture, "downloaded", { minutesAgo: 500_002 });
    const discovered = await insertVersion(fixture, "discovered", { minutesAgo: 500_001 });
    const third = await insertVersion(fixture, "discovered", { minutesAgo: 500_000 });
    await insertVersion(fixture, "failed", { code: "timeout", minutesAgo: 500_003 });
    const claimed = await versions.claimStuck({ olderThanSeconds: 600, limit: 2 });
    expect(claimed.map((v) => v.id).sort()).toEqual([downloaded, discovered].sort());
    expect(claimed.find((v) => v.id === downloaded)).toMatchObject({
      registryId: fixture.registryId,
      state: "downloaded",
      chart: "web",
      archiveSha256: SHA_A,
      size: 10,
      requeues: 0,
    });
    expect(claimed.find((v) => v.id === discovered)).toMatchObject({ state: "discovered", archiveSha256: null, size: null });
    const next = (await versions.claimStuck({ olderThanSeconds: 600, limit: 1000 })).map((v) => v.id);
    expect(next).toContain(third);
    expect(next).not.toContain(downloaded);
    expect((await rowOf(downloaded)).state).toBe("downloaded");
  });
});
