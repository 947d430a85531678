import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { ChartVersionRepository } from "./chart_version_repository.ts";
import { insertChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { SyncRunRepository } from "./sync_run_repository.ts";

let database: TestDatabase;
let sql: SqlClient;
let versions: ChartVersionRepository;
let registryId: string;
let chartId: string;

beforeAll(async () => {
  database = await createTestDatabase("ch_version_recovery");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  versions = new ChartVersionRepository(sql);
  ({ registryId, chartId } = await insertChartFixture(sql, "rec"));
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

/** A version in `state`, last touched `minutesAgo`, failed with `code` when given. */
async function insertVersion(state: string, options: { minutesAgo?: number; code?: string } = {}): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO chart_versions (chart_id, registry_id, version, state, digest, download_url, error, archive_sha256, size, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'http://rec.example.invalid/web.tgz', $6, $7, $8, now() - make_interval(mins => $9))
     RETURNING id`,
    [
      chartId,
      registryId,
      `1.0.0-${randomUUID()}`,
      state,
      "b".repeat(64),
      options.code ? JSON.stringify({ code: options.code, message: "m", cause: null, solution: "s" }) : null,
      state === "downloaded" ? "b".repeat(64) : null,
      state === "downloaded" ? 10 : null,
      options.minutesAgo ?? 0,
    ],
  );
  return row?.id ?? "";
}

describe("ChartVersionRepository recovery", () => {
  it("reopen() sends failed and stuck versions back to discovered with a new round, and leaves ready ones alone", async () => {
    const failed = await insertVersion("failed", { code: "timeout" });
    const downloaded = await insertVersion("downloaded");
    const ready = await insertVersion("ready");
    const reopened = await versions.reopen([failed, downloaded, ready]);
    expect(reopened.map((v) => v.id).sort()).toEqual([failed, downloaded].sort());
    expect(reopened.every((v) => v.requeues === 1 && v.registryId === registryId && v.chart === "web")).toBe(true);
    expect(reopened[0]?.downloadUrl).toBe("http://rec.example.invalid/web.tgz");
    const work = await versions.work(downloaded);
    expect(work).toMatchObject({ state: "discovered", archiveSha256: null, requeues: 1 });
    expect((await versions.work(ready))?.state).toBe("ready");
  });

  it("reopenRetryable() takes failures of passing codes that waited long enough, once, however many sweep at once", async () => {
    const due = await insertVersion("failed", { code: "registry_error", minutesAgo: 120 });
    const recent = await insertVersion("failed", { code: "registry_error", minutesAgo: 1 });
    const permanent = await insertVersion("failed", { code: "digest_mismatch", minutesAgo: 120 });
    const options = { codes: ["registry_error", "timeout"], olderThanSeconds: 3600, limit: 100 };
    const [first, second] = await Promise.all([versions.reopenRetryable(options), versions.reopenRetryable(options)]);
    const taken = [...(first ?? []), ...(second ?? [])].map((v) => v.id);
    expect(taken.filter((id) => id === due)).toHaveLength(1);
    expect(taken).not.toContain(recent);
    expect(taken).not.toContain(permanent);
  });

  it("reopenFailedOnHost() takes the passing failures whose archive is on the recovered host", async () => {
    const onHost = await insertVersion("failed", { code: "connection_failed" });
    const mismatch = await insertVersion("failed", { code: "digest_mismatch" });
    const elsewhere = await insertVersion("failed", { code: "connection_failed" });
    await sql.query("UPDATE chart_versions SET download_url = 'oci://other.example.invalid:5000/web@sha256:x' WHERE id = $1", [elsewhere]);
    const taken = (await versions.reopenFailedOnHost("rec.example.invalid", ["connection_failed"], 100)).map((v) => v.id);
    expect(taken).toContain(onHost);
    expect(taken).not.toContain(mismatch);
    expect(taken).not.toContain(elsewhere);
    const other = (await versions.reopenFailedOnHost("other.example.invalid:5000", ["connection_failed"], 100)).map((v) => v.id);
    expect(other).toEqual([elsewhere]);
  });

  it("claimStuck() hands out versions in flight that nothing touched, then not again until they stay stuck", async () => {
    const stuck = await insertVersion("downloaded", { minutesAgo: 30 });
    const moving = await insertVersion("discovered", { minutesAgo: 1 });
    const claimed = (await versions.claimStuck({ olderThanSeconds: 600, limit: 1000 })).map((v) => v.id);
    expect(claimed).toContain(stuck);
    expect(claimed).not.toContain(moving);
    expect((await versions.claimStuck({ olderThanSeconds: 600, limit: 1000 })).map((v) => v.id)).not.toContain(stuck);
  });

  it("recordRetry() leaves a version that another delivery made ready without a stale error", async () => {
    const ready = await insertVersion("ready");
    await versions.recordRetry(ready, { code: "internal", message: "TIMEOUT", cause: null, solution: "s" });
    const [row] = await sql.query<{ error: unknown }>("SELECT error FROM chart_versions WHERE id = $1", [ready]);
    expect(row?.error).toBeNull();
  });
});

describe("SyncRunRepository leases", () => {
  it("lease() takes a free run, defers while another copy holds it, and skips a finished one", async () => {
    const syncRuns = new SyncRunRepository(sql);
    const requested = await syncRuns.request(registryId, "manual");
    const first = await syncRuns.lease(requested.syncRunId);
    expect(first.kind).toBe("leased");
    const second = await syncRuns.lease(requested.syncRunId);
    expect(second.kind).toBe("held");
    if (second.kind === "held") expect(second.retryAfterMs).toBeGreaterThan(20_000);
    // A copy that died stops renewing: once the lease has run out another copy takes the sync over.
    await sql.query("UPDATE sync_runs SET lease_until = now() - interval '1 second' WHERE id = $1", [requested.syncRunId]);
    expect((await syncRuns.lease(requested.syncRunId)).kind).toBe("leased");
    await syncRuns.finish(requested.syncRunId, {
      outcome: "unchanged",
      httpStatus: 304,
      bytes: 0,
      chartsSeen: null,
      versionsAdded: 0,
      versionsRemoved: 0,
      etag: null,
      lastModified: null,
      contentHash: null,
    });
    expect((await syncRuns.lease(requested.syncRunId)).kind).toBe("done");
  });
});
