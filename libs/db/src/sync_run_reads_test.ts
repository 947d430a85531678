import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { SyncRunReads } from "./sync_run_reads.ts";

let database: TestDatabase;
let sql: SqlClient;
let reads: SyncRunReads;
let mine: ChartFixture;
let theirs: ChartFixture;

beforeAll(async () => {
  database = await createTestDatabase("ch_sync_run_reads");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  reads = new SyncRunReads(sql);
  mine = await insertChartFixture(sql, "mine");
  theirs = await insertChartFixture(sql, "theirs");
  // Three runs a second apart, the newest last.
  await sql.query(
    `INSERT INTO sync_runs (registry_id, trigger, requested_at, outcome, bytes)
     SELECT $1, 'schedule', now() - make_interval(secs => 10 - n), 'updated', 1000 * n FROM generate_series(1, 3) n`,
    [mine.registryId],
  );
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("SyncRunReads", () => {
  it("lists a registry's runs newest first, page by page", async () => {
    const first = await reads.list(mine.organizationId, mine.registryId, { limit: 2, after: undefined });
    expect(first.map((r) => r.bytes)).toEqual(["3000", "2000"]);
    const last = first.at(-1)!;
    const rest = await reads.list(mine.organizationId, mine.registryId, { limit: 2, after: { name: last.name, id: last.id } });
    expect(rest.map((r) => r.bytes)).toEqual(["1000"]);
  });

  it("lists nothing of a registry of another organisation", async () => {
    expect(await reads.list(theirs.organizationId, mine.registryId, { limit: 10, after: undefined })).toEqual([]);
  });
});
