import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEASE_SECONDS, type SyncResult } from "@charthouse/catalog";
import type { StoredError } from "@charthouse/errors";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { attachSealedCredential } from "./repository_fixtures_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { SyncRunRepository } from "./sync_run_repository.ts";

let database: TestDatabase;
let sql: SqlClient;
let syncRuns: SyncRunRepository;

beforeAll(async () => {
  database = await createTestDatabase("ch_sync_runs");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  syncRuns = new SyncRunRepository(sql);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

const failure = (code: string): StoredError => ({ code, message: `It failed with ${code}`, cause: null, solution: "Try again" });

const updated: SyncResult = {
  outcome: "updated",
  httpStatus: 200,
  bytes: 2048,
  chartsSeen: 3,
  versionsAdded: 5,
  versionsRemoved: 1,
  etag: '"v2"',
  lastModified: "Tue, 01 Dec 2026 10:00:00 GMT",
  contentHash: "c".repeat(64),
};

interface RunRow {
  trigger: string;
  started_at: Date | null;
  finished_at: Date | null;
  outcome: string | null;
  http_status: number | null;
  bytes: string | null;
  charts_seen: number | null;
  versions_added: number | null;
  versions_removed: number | null;
  attempts: number;
  lease_until: Date | null;
  error: StoredError | null;
  notes: unknown;
}

interface RegistryRow {
  state: string;
  active_sync_id: string | null;
  next_sync_at: Date | null;
  last_sync_at: Date | null;
  last_success_at: Date | null;
  last_outcome: string | null;
  last_error: StoredError | null;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
}

/** The stored sync run, as the API shows it. */
async function runOf(id: string): Promise<RunRow> {
  const [row] = await sql.query<RunRow>(
    `SELECT trigger, started_at, finished_at, outcome, http_status, bytes, charts_seen, versions_added, versions_removed,
            attempts, lease_until, error, notes
       FROM sync_runs WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`Sync run ${id} is gone`);
  return row;
}

/** The sync state of a registry, as the API shows it. */
async function registryOf(id: string): Promise<RegistryRow> {
  const [row] = await sql.query<RegistryRow>(
    `SELECT state, active_sync_id, next_sync_at, last_sync_at, last_success_at, last_outcome, last_error, etag,
            last_modified, content_hash
       FROM registries WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`Registry ${id} is gone`);
  return row;
}

/** Seconds from now until `date` (negative when past). */
const secondsUntil = (date: Date | null): number => ((date?.getTime() ?? Number.NaN) - Date.now()) / 1000;

describe("SyncRunRepository.claimDue()", () => {
  it("claims each due registry once, opens its scheduled run and moves its next sync one interval ahead", async () => {
    const due = await insertChartFixture(sql, "due");
    const manualOnly = await insertChartFixture(sql, "due-manual");
    const later = await insertChartFixture(sql, "later");
    const busy = await insertChartFixture(sql, "busy");
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '1 minute', sync_interval_seconds = 600 WHERE id = ANY($1::uuid[])", [
      [due.registryId, busy.registryId],
    ]);
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '1 minute', sync_interval_seconds = 0 WHERE id = $1", [
      manualOnly.registryId,
    ]);
    await sql.query("UPDATE registries SET next_sync_at = now() + interval '1 hour' WHERE id = $1", [later.registryId]);
    const running = await syncRuns.request(busy.registryId, "manual");

    const [first, second] = await Promise.all([syncRuns.claimDue(10), syncRuns.claimDue(10)]);
    const claimed = [...(first ?? []), ...(second ?? [])];
    expect(claimed.map((c) => c.registryId).sort()).toEqual([due.registryId, manualOnly.registryId].sort());
    const run = claimed.find((c) => c.registryId === due.registryId);
    expect(run).toMatchObject({ kind: "http_registry", trigger: "schedule" });
    expect(Math.abs(Date.parse(run?.requestedAt ?? "") - Date.now())).toBeLessThan(60_000);
    expect((await runOf(run?.syncRunId ?? "")).trigger).toBe("schedule");

    const dueRow = await registryOf(due.registryId);
    expect(dueRow.active_sync_id).toBe(run?.syncRunId);
    expect(secondsUntil(dueRow.next_sync_at)).toBeGreaterThan(500);
    expect((await registryOf(manualOnly.registryId)).next_sync_at).toBeNull();
    expect((await registryOf(busy.registryId)).active_sync_id).toBe(running.syncRunId);
    expect(await syncRuns.claimDue(10)).toEqual([]);
  });

  it("keeps a registry's phase: the next sync is one interval after the one due, or after now once a whole interval behind", async () => {
    const onTime = await insertChartFixture(sql, "phase-on-time");
    const behind = await insertChartFixture(sql, "phase-behind");
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '3 seconds', sync_interval_seconds = 600 WHERE id = $1", [onTime.registryId]);
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '2 hours', sync_interval_seconds = 600 WHERE id = $1", [behind.registryId]);
    await syncRuns.claimDue(10);
    expect(secondsUntil((await registryOf(onTime.registryId)).next_sync_at)).toBeCloseTo(597, -1);
    expect(secondsUntil((await registryOf(behind.registryId)).next_sync_at)).toBeCloseTo(600, -1);
  });

  it("skips a registry another scheduler is claiming instead of waiting for it", async () => {
    const locked = await insertChartFixture(sql, "locked");
    const free = await insertChartFixture(sql, "free");
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '1 minute' WHERE id = ANY($1::uuid[])", [
      [locked.registryId, free.registryId],
    ]);
    await sql.transaction(async (tx) => {
      await tx.query("SELECT id FROM registries WHERE id = $1 FOR UPDATE", [locked.registryId]);
      let timer: NodeJS.Timeout | undefined;
      const blocked = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("claimDue() waited for a registry another scheduler holds")), 10_000);
      });
      const claimed = await Promise.race([syncRuns.claimDue(10), blocked]).finally(() => clearTimeout(timer));
      expect(claimed.map((c) => c.registryId)).toEqual([free.registryId]);
    });
    expect((await syncRuns.claimDue(10)).map((c) => c.registryId)).toEqual([locked.registryId]);
  });

  it("claims at most the limit, the longest overdue first", async () => {
    const oldest = await insertChartFixture(sql, "overdue-a");
    const newer = await insertChartFixture(sql, "overdue-b");
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '2 hours' WHERE id = $1", [oldest.registryId]);
    await sql.query("UPDATE registries SET next_sync_at = now() - interval '1 hour' WHERE id = $1", [newer.registryId]);
    expect((await syncRuns.claimDue(1)).map((c) => c.registryId)).toEqual([oldest.registryId]);
    expect((await syncRuns.claimDue(1)).map((c) => c.registryId)).toEqual([newer.registryId]);
  });
});

describe("SyncRunRepository.requestFirst()", () => {
  it("opens a create run for each registry without an active sync, in one statement, and leaves the others alone", async () => {
    const fresh = await insertChartFixture(sql, "first-fresh");
    const busy = await insertChartFixture(sql, "first-busy");
    const active = await syncRuns.request(busy.registryId, "manual");
    const runs = await syncRuns.requestFirst([fresh.registryId, busy.registryId]);
    expect(runs).toEqual([expect.objectContaining({ registryId: fresh.registryId, kind: "http_registry", trigger: "create" })]);
    expect((await registryOf(fresh.registryId)).active_sync_id).toBe(runs[0]!.syncRunId);
    expect((await registryOf(busy.registryId)).active_sync_id).toBe(active.syncRunId);
  });
});

describe("SyncRunRepository.request()", () => {
  it("opens a run and reuses it while it is unfinished, so two clicks make one sync", async () => {
    const fixture = await insertChartFixture(sql, "request");
    const first = await syncRuns.request(fixture.registryId, "push");
    expect(first).toMatchObject({ registryId: fixture.registryId, kind: "http_registry", trigger: "push", reused: false });
    expect((await registryOf(fixture.registryId)).active_sync_id).toBe(first.syncRunId);
    const again = await syncRuns.request(fixture.registryId, "manual");
    expect(again).toMatchObject({ syncRunId: first.syncRunId, trigger: "push", reused: true });
    expect(await sql.query("SELECT id FROM sync_runs WHERE registry_id = $1", [fixture.registryId])).toHaveLength(1);
  });

  it("opens a new run once the last one is finished, even if the registry still points at it", async () => {
    const fixture = await insertChartFixture(sql, "request-after");
    const first = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.fail(first.syncRunId, failure("timeout"));
    const next = await syncRuns.request(fixture.registryId, "manual");
    expect(next.reused).toBe(false);
    expect(next.syncRunId).not.toBe(first.syncRunId);
    await syncRuns.fail(next.syncRunId, failure("timeout"));
    // A registry left pointing at a finished run (its outcome written by an older copy) is not stuck on it.
    await sql.query("UPDATE registries SET active_sync_id = $2 WHERE id = $1", [fixture.registryId, next.syncRunId]);
    const third = await syncRuns.request(fixture.registryId, "manual");
    expect(third.reused).toBe(false);
    expect([first.syncRunId, next.syncRunId]).not.toContain(third.syncRunId);
    expect((await registryOf(fixture.registryId)).active_sync_id).toBe(third.syncRunId);
  });

  it("makes the registry due again when a push finds a run under way or another push's, but not a queued whole sync", async () => {
    const fixture = await insertChartFixture(sql, "request-push");
    const nextSyncAt = async (): Promise<Date | null> =>
      ((await sql.query<{ next_sync_at: Date | null }>("SELECT next_sync_at FROM registries WHERE id = $1", [fixture.registryId]))[0]?.next_sync_at ?? null);
    await sql.query("UPDATE registries SET next_sync_at = now() + interval '1 hour' WHERE id = $1", [fixture.registryId]);
    const queued = await syncRuns.request(fixture.registryId, "manual");
    expect(await syncRuns.request(fixture.registryId, "push")).toMatchObject({ syncRunId: queued.syncRunId, reused: true });
    expect((await nextSyncAt())!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);

    await syncRuns.lease(queued.syncRunId);
    expect(await syncRuns.request(fixture.registryId, "push")).toMatchObject({ syncRunId: queued.syncRunId, reused: true });
    expect((await nextSyncAt())!.getTime()).toBeLessThanOrEqual(Date.now());
    await syncRuns.finish(queued.syncRunId, updated);

    await sql.query("UPDATE registries SET next_sync_at = now() + interval '1 hour' WHERE id = $1", [fixture.registryId]);
    const pushed = await syncRuns.request(fixture.registryId, "push");
    expect(pushed).toMatchObject({ trigger: "push", reused: false });
    expect(await syncRuns.request(fixture.registryId, "push")).toMatchObject({ syncRunId: pushed.syncRunId, reused: true });
    expect((await nextSyncAt())!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("fails for a registry that does not exist", async () => {
    await expect(syncRuns.request(randomUUID(), "manual")).rejects.toThrow(/vanished/);
  });
});

describe("SyncRunRepository.lease()", () => {
  it("hands the leased run out with its registry, validators and sealed credential, and marks the registry syncing", async () => {
    const fixture = await insertChartFixture(sql, "lease");
    const credential = await attachSealedCredential(sql, fixture);
    await sql.query("UPDATE registries SET etag = 'e1', last_modified = 'lm1', content_hash = 'h1' WHERE id = $1", [fixture.registryId]);
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    const attempt = await syncRuns.lease(syncRunId);
    expect(attempt).toEqual({
      kind: "leased",
      sync: {
        syncRunId,
        attempts: 1,
        registry: {
          id: fixture.registryId,
          organizationId: fixture.organizationId,
          name: "lease",
          url: "https://lease.example.invalid",
          kind: "http_registry",
          etag: "e1",
          lastModified: "lm1",
          contentHash: "h1",
          credential,
        },
      },
    });
    const run = await runOf(syncRunId);
    expect(run.started_at).toBeInstanceOf(Date);
    expect(secondsUntil(run.lease_until)).toBeGreaterThan(LEASE_SECONDS - 10);
    // "syncing" is derived from the started run when read (registryStateSql): the lease writes only the run.
    expect((await registryOf(fixture.registryId)).state).toBe("pending");
  });

  it("says a held run may be asked for again when its lease runs out, and counts each attempt that takes it", async () => {
    const fixture = await insertChartFixture(sql, "held");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    const held = await syncRuns.lease(syncRunId);
    expect(held.kind).toBe("held");
    if (held.kind === "held") expect(held.retryAfterMs).toBeGreaterThan(0);
    if (held.kind === "held") expect(held.retryAfterMs).toBeLessThanOrEqual(LEASE_SECONDS * 1000);
    await syncRuns.recordRetry(syncRunId, failure("timeout"));
    const retaken = await syncRuns.lease(syncRunId);
    expect(retaken.kind === "leased" && retaken.sync.attempts).toBe(2);
  });

  it("leases concurrent runs together, each once: the same run asked twice at once is held for the second", async () => {
    const fixtures = await Promise.all(["batch-a", "batch-b", "batch-c"].map((name) => insertChartFixture(sql, name)));
    const runs = await Promise.all(fixtures.map((f) => syncRuns.request(f.registryId, "manual")));
    const [first, ...rest] = await Promise.all([
      syncRuns.lease(runs[0]!.syncRunId),
      ...runs.map((r) => syncRuns.lease(r.syncRunId)),
    ]);
    expect(first!.kind === "leased" && first!.sync.registry.id).toBe(fixtures[0]!.registryId);
    expect(rest.map((a) => a.kind)).toEqual(["held", "leased", "leased"]);
    expect(rest.map((a) => (a.kind === "leased" ? a.sync.registry.id : null))).toEqual([null, fixtures[1]!.registryId, fixtures[2]!.registryId]);
    await Promise.all(runs.map((r, i) => syncRuns.finish(r.syncRunId, { ...updated, etag: `"batch-${i}"` })));
    for (const [i, r] of runs.entries()) {
      expect((await runOf(r.syncRunId)).outcome).toBe("updated");
      expect(await registryOf(fixtures[i]!.registryId)).toMatchObject({ state: "ok", active_sync_id: null, etag: `"batch-${i}"` });
    }
  });

  it("says done for a finished run and for one that does not exist", async () => {
    const fixture = await insertChartFixture(sql, "done");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.fail(syncRunId, failure("unauthorized"));
    expect(await syncRuns.lease(syncRunId)).toEqual({ kind: "done" });
    expect(await syncRuns.lease(randomUUID())).toEqual({ kind: "done" });
  });
});

describe("SyncRunRepository.renewLease()", () => {
  it("extends a held lease, but not one a failed attempt has let go", async () => {
    const fixture = await insertChartFixture(sql, "renew");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    await sql.query("UPDATE sync_runs SET lease_until = now() + interval '2 seconds' WHERE id = $1", [syncRunId]);
    await syncRuns.renewLease(syncRunId);
    expect(secondsUntil((await runOf(syncRunId)).lease_until)).toBeGreaterThan(LEASE_SECONDS - 10);
    await syncRuns.recordRetry(syncRunId, failure("timeout"));
    await syncRuns.renewLease(syncRunId);
    expect((await runOf(syncRunId)).lease_until).toBeNull();
  });
});

describe("SyncRunRepository outcomes", () => {
  it("finish() records the outcome on the run and the registry, stores the validators and frees the registry", async () => {
    const fixture = await insertChartFixture(sql, "finish");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    await syncRuns.recordRetry(syncRunId, failure("timeout"));
    await syncRuns.lease(syncRunId);
    await syncRuns.finish(syncRunId, { ...updated, notes: [{ code: "oci_not_a_chart", message: "Skipped", count: 2 }] });
    const run = await runOf(syncRunId);
    expect(run).toMatchObject({
      outcome: "updated",
      http_status: 200,
      bytes: "2048",
      charts_seen: 3,
      versions_added: 5,
      versions_removed: 1,
      error: null,
      lease_until: null,
      notes: [{ code: "oci_not_a_chart", message: "Skipped", count: 2 }],
    });
    expect(run.finished_at).toBeInstanceOf(Date);
    const registry = await registryOf(fixture.registryId);
    expect(registry).toMatchObject({
      state: "ok",
      active_sync_id: null,
      last_outcome: "updated",
      last_error: null,
      etag: '"v2"',
      last_modified: "Tue, 01 Dec 2026 10:00:00 GMT",
      content_hash: "c".repeat(64),
    });
    expect(registry.last_success_at).toEqual(run.finished_at);
    expect(registry.last_sync_at).toEqual(run.finished_at);
  });

  it("finish() stores no notes when there were none, and changes nothing on a run already finished", async () => {
    const fixture = await insertChartFixture(sql, "finish-twice");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    await syncRuns.finish(syncRunId, { ...updated, notes: [] });
    const finished = await runOf(syncRunId);
    expect(finished.notes).toBeNull();
    await syncRuns.finish(syncRunId, { ...updated, outcome: "unchanged", etag: '"v3"' });
    expect(await runOf(syncRunId)).toEqual(finished);
    expect((await registryOf(fixture.registryId)).etag).toBe('"v2"');
  });

  it("recordRetry() shows the error on the registry while the run stays open", async () => {
    const fixture = await insertChartFixture(sql, "retry");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    await syncRuns.recordRetry(syncRunId, failure("registry_error"));
    expect(await runOf(syncRunId)).toMatchObject({ finished_at: null, lease_until: null, error: failure("registry_error") });
    expect(await registryOf(fixture.registryId)).toMatchObject({
      state: "error",
      last_error: failure("registry_error"),
      active_sync_id: syncRunId,
    });
  });

  it("fail() ends the run for good, frees the registry and names it, once", async () => {
    const fixture = await insertChartFixture(sql, "fail");
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await syncRuns.lease(syncRunId);
    expect(await syncRuns.fail(syncRunId, failure("unauthorized"), 401)).toEqual({
      organizationId: fixture.organizationId,
      registryId: fixture.registryId,
    });
    const run = await runOf(syncRunId);
    expect(run).toMatchObject({ outcome: "failed", http_status: 401, error: failure("unauthorized"), lease_until: null });
    expect(run.finished_at).toBeInstanceOf(Date);
    const registry = await registryOf(fixture.registryId);
    expect(registry).toMatchObject({ state: "error", active_sync_id: null, last_outcome: "failed", last_error: failure("unauthorized") });
    expect(registry.last_sync_at).toEqual(run.finished_at);
    expect(await syncRuns.fail(syncRunId, failure("timeout"))).toBeNull();
    expect((await runOf(syncRunId)).error).toEqual(failure("unauthorized"));
  });
});

describe("SyncRunRepository.findStalled()", () => {
  const options = { republishAfterSeconds: 300, abandonAfterSeconds: 3600 };

  /** A requested run of a fresh registry, asked for `minutesAgo`, leased until `leaseMinutesFromNow` when given. */
  async function runRequested(fixture: ChartFixture, minutesAgo: number, leaseMinutesFromNow?: number): Promise<string> {
    const { syncRunId } = await syncRuns.request(fixture.registryId, "manual");
    await sql.query(
      `UPDATE sync_runs SET requested_at = now() - make_interval(mins => $2),
              lease_until = CASE WHEN $3::integer IS NULL THEN NULL ELSE now() + make_interval(mins => $3::integer) END
        WHERE id = $1`,
      [syncRunId, minutesAgo, leaseMinutesFromNow ?? null],
    );
    return syncRunId;
  }

  it("returns runs whose message was lost, to be published again, and leaves fresh and running ones", async () => {
    const lost = await insertChartFixture(sql, "lost");
    const expired = await insertChartFixture(sql, "expired");
    const fresh = await insertChartFixture(sql, "fresh");
    const running = await insertChartFixture(sql, "running");
    const lostRun = await runRequested(lost, 10);
    const expiredRun = await runRequested(expired, 30, -10);
    await runRequested(fresh, 1);
    await runRequested(running, 30, 1);
    const stalled = await syncRuns.findStalled(options);
    const mine = stalled.filter((s) => [lost, expired, fresh, running].some((f) => f.registryId === s.registryId));
    expect(mine.map((s) => s.syncRunId).sort()).toEqual([lostRun, expiredRun].sort());
    expect(mine.find((s) => s.syncRunId === lostRun)).toMatchObject({ registryId: lost.registryId, kind: "http_registry", trigger: "manual" });
    expect((await runOf(lostRun)).finished_at).toBeNull();
  });

  it("fails runs left unfinished too long as timed out and frees their registry, but not one still leased", async () => {
    const abandoned = await insertChartFixture(sql, "abandoned");
    const slow = await insertChartFixture(sql, "slow");
    const abandonedRun = await runRequested(abandoned, 120);
    const slowRun = await runRequested(slow, 120, 1);
    const stalled = (await syncRuns.findStalled(options)).map((s) => s.syncRunId);
    expect(stalled).not.toContain(abandonedRun);
    expect(stalled).not.toContain(slowRun);
    const run = await runOf(abandonedRun);
    expect(run).toMatchObject({ outcome: "failed", lease_until: null });
    expect(run.finished_at).toBeInstanceOf(Date);
    expect(run.error?.code).toBe("timeout");
    expect(await registryOf(abandoned.registryId)).toMatchObject({ active_sync_id: null, state: "error", last_outcome: "failed" });
    expect((await runOf(slowRun)).finished_at).toBeNull();
    expect((await registryOf(slow.registryId)).active_sync_id).toBe(slowRun);
  });
});
