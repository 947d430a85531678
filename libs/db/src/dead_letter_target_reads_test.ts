import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { DeadLetterTargetReads } from "./dead_letter_target_reads.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let reads: DeadLetterTargetReads;
let fixture: ChartFixture;

beforeAll(async () => {
  database = await createTestDatabase("ch_dead_letter_targets");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  reads = new DeadLetterTargetReads(sql);
  fixture = await insertChartFixture(sql, "targets");
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("DeadLetterTargetReads", () => {
  it("versions() tells the state of the versions that still exist and whether they have a download URL", async () => {
    const rows = await sql.query<{ id: string }>(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, download_url)
       VALUES ($1, $2, '1.0.0', 'failed', 'https://a.example.invalid/web-1.0.0.tgz'), ($1, $2, '2.0.0', 'ready', NULL)
       RETURNING id`,
      [fixture.chartId, fixture.registryId],
    );
    const [failed, ready] = rows.map((row) => row.id);
    const found = await reads.versions([failed!, ready!, randomUUID()]);
    expect(found.sort((a, b) => a.state.localeCompare(b.state))).toEqual([
      { id: failed, state: "failed", has_url: true },
      { id: ready, state: "ready", has_url: false },
    ]);
  });

  it("existingRegistries() leaves out the registries that were deleted", async () => {
    const gone = randomUUID();
    expect(await reads.existingRegistries([fixture.registryId, gone])).toEqual(new Set([fixture.registryId]));
  });
});
