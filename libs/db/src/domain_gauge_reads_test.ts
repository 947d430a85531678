import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { DomainGaugeReads } from "./domain_gauge_reads.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let reads: DomainGaugeReads;
let first: ChartFixture;
let second: ChartFixture;

beforeAll(async () => {
  database = await createTestDatabase("ch_gauge_reads");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  reads = new DomainGaugeReads(sql);
  first = await insertChartFixture(sql, "first");
  second = await insertChartFixture(sql, "second");
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("DomainGaugeReads", () => {
  it("counts registries by state over every organisation, with the newest and oldest successful syncs", async () => {
    await sql.query("UPDATE registries SET state = 'ok', last_success_at = to_timestamp(2000) WHERE id = $1", [first.registryId]);
    await sql.query("UPDATE registries SET state = 'ok', last_success_at = to_timestamp(1000) WHERE id = $1", [second.registryId]);
    expect(await reads.registryStates({ timeoutMs: 2_000 })).toEqual([{ state: "ok", registries: 2, newest_success: 2000, oldest_success: 1000 }]);
  });

  it("counts a registry whose active run has started as syncing, as the API shows it", async () => {
    const [run] = await sql.query<{ id: string }>("INSERT INTO sync_runs (registry_id, trigger, started_at) VALUES ($1, 'schedule', now()) RETURNING id", [
      second.registryId,
    ]);
    await sql.query("UPDATE registries SET active_sync_id = $2 WHERE id = $1", [second.registryId, run!.id]);
    const states = await reads.registryStates({ timeoutMs: 2_000 });
    expect(states.map((s) => [s.state, s.registries]).sort()).toEqual([
      ["ok", 1],
      ["syncing", 1],
    ]);
    await sql.query("UPDATE registries SET active_sync_id = NULL WHERE id = $1", [second.registryId]);
  });

  it("counts chart versions by state over every organisation", async () => {
    await sql.query("INSERT INTO chart_versions (chart_id, registry_id, version, state) VALUES ($1, $2, '1.0.0', 'ready'), ($1, $2, '2.0.0', 'failed')", [
      first.chartId,
      first.registryId,
    ]);
    await sql.query("INSERT INTO chart_versions (chart_id, registry_id, version, state) VALUES ($1, $2, '1.0.0', 'ready')", [second.chartId, second.registryId]);
    const counts = await reads.chartVersionStates({ timeoutMs: 2_000 });
    expect(counts.sort((a, b) => a.state.localeCompare(b.state))).toEqual([
      { state: "failed", versions: 1 },
      { state: "ready", versions: 2 },
    ]);
  });
});
