import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { pruneSyncRuns, syncRunPruneLockKey } from "./sync_run_pruning.ts";

let database: TestDatabase;
let sql: SqlClient;

beforeAll(async () => {
  database = await createTestDatabase("ch_sync_run_pruning");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

/** Inserts a registry's runs, one per age in hours (finished unless said), and returns their ids by age. */
async function insertRuns(registryId: string, runs: { hoursAgo: number; finished?: boolean }[]): Promise<Map<number, string>> {
  const rows = await sql.query<{ id: string; hours: number }>(
    `INSERT INTO sync_runs (registry_id, trigger, requested_at, started_at, finished_at, outcome)
     SELECT $1, 'schedule', now() - make_interval(hours => t.hours), now() - make_interval(hours => t.hours),
            CASE WHEN t.finished THEN now() - make_interval(hours => t.hours) END, CASE WHEN t.finished THEN 'unchanged' END
       FROM unnest($2::int[], $3::boolean[]) AS t(hours, finished)
     RETURNING id, extract(epoch FROM now() - requested_at)::int / 3600 AS hours`,
    [registryId, runs.map((run) => run.hoursAgo), runs.map((run) => run.finished ?? true)],
  );
  return new Map(rows.map((row) => [row.hours, row.id]));
}

/** The ages in hours of a registry's runs that are left, newest first. */
async function agesLeft(registryId: string): Promise<number[]> {
  const rows = await sql.query<{ hours: number }>(
    "SELECT extract(epoch FROM now() - requested_at)::int / 3600 AS hours FROM sync_runs WHERE registry_id = $1 ORDER BY requested_at DESC",
    [registryId],
  );
  return rows.map((row) => row.hours);
}

async function countRuns(): Promise<number> {
  const [row] = await sql.query<{ count: number }>("SELECT count(*)::int AS count FROM sync_runs");
  return row?.count ?? 0;
}

const hours = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("pruneSyncRuns()", () => {
  it("deletes finished runs older than the retention or beyond the newest kept, and keeps unfinished ones", async () => {
    const busy = await insertChartFixture(sql, "prune-busy");
    const quiet = await insertChartFixture(sql, "prune-quiet");
    // Ten runs an hour apart, the newest unfinished, and an unfinished one left from a week ago.
    await insertRuns(busy.registryId, [...hours(0, 9).map((h) => ({ hoursAgo: h, finished: h !== 0 })), { hoursAgo: 24 * 7, finished: false }]);
    // A run a day for ten days.
    await insertRuns(quiet.registryId, hours(0, 9).map((d) => ({ hoursAgo: d * 24 })));

    const pruned = await pruneSyncRuns(sql, { retentionDays: 5, keep: 4 });

    // The newest four runs (one of them unfinished), and the old unfinished one.
    expect(await agesLeft(busy.registryId)).toEqual([0, 1, 2, 3, 24 * 7]);
    // Four runs kept by count, all younger than five days.
    expect(await agesLeft(quiet.registryId)).toEqual([0, 24, 48, 72]);
    expect(pruned).toEqual({ deleted: 6 + 6, busy: false });
  });

  it("keeps a registry's newest finished run and its active run however old", async () => {
    const idle = await insertChartFixture(sql, "prune-idle");
    await insertRuns(idle.registryId, [{ hoursAgo: 24 * 60 }, { hoursAgo: 24 * 90 }]);
    const stuck = await insertChartFixture(sql, "prune-stuck");
    const ids = await insertRuns(stuck.registryId, [{ hoursAgo: 24 * 30 }, { hoursAgo: 24 * 40 }]);
    // An active run that is finished should never be, but is still not deleted while referenced.
    await sql.query("UPDATE registries SET active_sync_id = $2 WHERE id = $1", [stuck.registryId, ids.get(24 * 40)]);

    await pruneSyncRuns(sql, { retentionDays: 7, keep: 100 });

    expect(await agesLeft(idle.registryId)).toEqual([24 * 60]);
    expect(await agesLeft(stuck.registryId)).toEqual([24 * 30, 24 * 40]);
  });

  it("walks every registry in small batches, a registry's runs spanning several of them", async () => {
    const registries = [];
    for (let i = 0; i < 4; i++) {
      const fixture = await insertChartFixture(sql, `prune-batched-${i}`);
      await insertRuns(fixture.registryId, hours(0, 11).map((h) => ({ hoursAgo: h })));
      registries.push(fixture.registryId);
    }

    const before = await countRuns();
    const pruned = await pruneSyncRuns(sql, { retentionDays: 30, keep: 2 }, { batch: 3 });

    for (const registryId of registries) expect(await agesLeft(registryId)).toEqual([0, 1]);
    expect(pruned.deleted).toBe(before - (await countRuns()));
    expect(await pruneSyncRuns(sql, { retentionDays: 30, keep: 2 }, { batch: 3 })).toEqual({ deleted: 0, busy: false });
  });

  it("ends after the batch under way once its signal is aborted, and the next pruning goes on", async () => {
    const fixture = await insertChartFixture(sql, "prune-stopped");
    await insertRuns(fixture.registryId, hours(0, 9).map((h) => ({ hoursAgo: h })));
    const stopping = new AbortController();
    stopping.abort();

    const before = await countRuns();
    expect(await pruneSyncRuns(sql, { retentionDays: 30, keep: 1 }, { batch: 4, signal: stopping.signal })).toEqual({ deleted: 4, busy: false });
    expect(await countRuns()).toBe(before - 4);
    await pruneSyncRuns(sql, { retentionDays: 30, keep: 1 }, { batch: 4 });
    expect(await agesLeft(fixture.registryId)).toEqual([0]);
  });

  it("deletes nothing and answers busy while another copy holds the lock", async () => {
    const fixture = await insertChartFixture(sql, "prune-locked");
    await insertRuns(fixture.registryId, hours(0, 5).map((h) => ({ hoursAgo: h * 24 * 30 })));

    const pruned = await sql.transaction(async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [syncRunPruneLockKey]);
      return await pruneSyncRuns(sql, { retentionDays: 7, keep: 100 });
    });

    expect(pruned).toEqual({ deleted: 0, busy: true });
    expect(await agesLeft(fixture.registryId)).toHaveLength(6);
  });
});
