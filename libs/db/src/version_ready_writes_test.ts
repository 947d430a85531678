import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { VersionReadyWrites } from "./version_ready_writes.ts";

let database: TestDatabase;
let sql: SqlClient;
let writes: VersionReadyWrites;
let fixture: ChartFixture;
const ids = new Map<string, string>();

const metadata = { chartYaml: { name: "web", version: "2.0.0" }, readme: "# Web", valuesYaml: "replicas: 2\n", valuesSchema: { type: "object" }, valuesSchemaError: null };

beforeAll(async () => {
  database = await createTestDatabase("ch_version_ready_writes");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 2 });
  writes = new VersionReadyWrites(sql);
  fixture = await insertChartFixture(sql, "ready");
  const other = await insertChartFixture(sql, "other");
  const rows = await sql.query<{ id: string; version: string }>(
    `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256) VALUES
       ($1, $2, '1.0.0', 'ready', 'aaa'), ($1, $2, '1.5.0', 'failed', NULL), ($1, $2, '2.0.0', 'downloaded', 'ccc'),
       ($1, $2, '3.0.0', 'downloaded', 'ddd')
     RETURNING id, version`,
    [fixture.chartId, fixture.registryId],
  );
  for (const row of rows) ids.set(row.version, row.id);
  await sql.query(`INSERT INTO chart_versions (chart_id, registry_id, version, state) VALUES ($1, $2, '0.1.0', 'ready')`, [
    other.chartId,
    other.registryId,
  ]);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("VersionReadyWrites.markReady()", () => {
  it("makes a downloaded version ready with its metadata and reads back the chart's other ready versions", async () => {
    const marked = await writes.markReady(ids.get("2.0.0")!, "web", metadata);
    expect(marked).toMatchObject({
      id: ids.get("2.0.0"),
      registryId: fixture.registryId,
      organizationId: fixture.organizationId,
      version: "2.0.0",
      otherReady: [{ id: ids.get("1.0.0"), version: "1.0.0", archiveSha256: "aaa" }],
    });
    expect(marked?.discoveredAt.getTime()).toBeGreaterThan(Date.now() - 600_000);
    const [row] = await sql.query<Record<string, unknown>>(
      "SELECT state, chart_yaml, readme, values_yaml, values_schema, values_schema_error FROM chart_versions WHERE id = $1",
      [ids.get("2.0.0")],
    );
    expect(row).toEqual({
      state: "ready",
      chart_yaml: metadata.chartYaml,
      readme: "# Web",
      values_yaml: "replicas: 2\n",
      values_schema: { type: "object" },
      values_schema_error: null,
    });
  });

  it("writes nothing for a version not waiting for extraction, or whose chart has another name", async () => {
    expect(await writes.markReady(ids.get("2.0.0")!, "web", metadata)).toBeNull();
    expect(await writes.markReady(ids.get("3.0.0")!, "api", metadata)).toBeNull();
    const [row] = await sql.query<{ state: string }>("SELECT state FROM chart_versions WHERE id = $1", [ids.get("3.0.0")]);
    expect(row?.state).toBe("downloaded");
    const marked = await writes.markReady(ids.get("3.0.0")!, "web", metadata);
    expect(marked?.otherReady.map((o) => o.version).sort()).toEqual(["1.0.0", "2.0.0"]);
  });
});
