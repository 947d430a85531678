import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { VersionMetadataReads } from "./version_metadata_reads.ts";

let database: TestDatabase;
let sql: SqlClient;
let reads: VersionMetadataReads;
let mine: ChartFixture;
let theirs: ChartFixture;
const ids = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase("ch_version_metadata");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  reads = new VersionMetadataReads(sql);
  mine = await insertChartFixture(sql, "mine");
  theirs = await insertChartFixture(sql, "theirs");
  for (const fixture of [mine, theirs]) {
    const rows = await sql.query<{ id: string; version: string }>(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256, chart_yaml, values_yaml, values_schema) VALUES
         ($1, $2, '1.0.0', 'ready', 'aaa', '{"name":"web","version":"1.0.0"}', 'replicas: 1', '{"type":"object"}'),
         ($1, $2, '2.0.0', 'ready', 'bbb', '{"name":"web","annotations":{"artifacthub.io/changes":"- added metrics"}}', NULL, NULL),
         ($1, $2, '3.0.0', 'discovered', NULL, NULL, NULL, NULL),
         ($1, $2, '0.1.0', 'failed', NULL, NULL, NULL, NULL)
       RETURNING id, version`,
      [fixture.chartId, fixture.registryId],
    );
    if (fixture === mine) for (const row of rows) ids.set(row.version, row.id);
  }
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("VersionMetadataReads", () => {
  it("comparableVersions() lists the ready versions and the named ones in any state, with their changelog annotation", async () => {
    const chart = { registryId: mine.registryId, name: "web" };
    const rows = await reads.comparableVersions(mine.organizationId, chart, ["3.0.0", "9.9.9"]);
    expect(rows.map((r) => [r.version, r.state, r.archive_sha256, r.changes]).sort()).toEqual([
      ["1.0.0", "ready", "aaa", null],
      ["2.0.0", "ready", "bbb", "- added metrics"],
      ["3.0.0", "discovered", null, null],
    ]);
    expect((await reads.comparableVersions(mine.organizationId, chart)).map((r) => r.version).sort()).toEqual(["1.0.0", "2.0.0"]);
    expect((await reads.readyVersions(mine.organizationId, chart)).map((r) => r.version).sort()).toEqual(["1.0.0", "2.0.0"]);
  });

  it("metadata() reads the stored Chart.yaml, values and schema of ready versions only", async () => {
    const chart = { registryId: mine.registryId, name: "web" };
    const rows = await reads.metadata(mine.organizationId, chart, [ids.get("1.0.0")!, ids.get("3.0.0")!]);
    expect(rows).toEqual([
      { id: ids.get("1.0.0"), version: "1.0.0", chart_yaml: { name: "web", version: "1.0.0" }, values_yaml: "replicas: 1", values_schema: { type: "object" } },
    ]);
    expect(await reads.metadata(mine.organizationId, chart, [])).toEqual([]);
  });

  it("reads nothing of another organisation's chart, even by version id", async () => {
    const chart = { registryId: mine.registryId, name: "web" };
    expect(await reads.comparableVersions(theirs.organizationId, chart, ["1.0.0"])).toEqual([]);
    expect(await reads.readyVersions(theirs.organizationId, chart)).toEqual([]);
    expect(await reads.metadata(theirs.organizationId, chart, [ids.get("1.0.0")!])).toEqual([]);
    const theirChart = { registryId: theirs.registryId, name: "web" };
    expect(await reads.metadata(theirs.organizationId, theirChart, [ids.get("1.0.0")!])).toEqual([]);
  });
});
