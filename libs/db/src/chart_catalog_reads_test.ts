import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { ChartCatalogReads } from "./chart_catalog_reads.ts";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let catalog: ChartCatalogReads;
let mine: ChartFixture;
let theirs: ChartFixture;

beforeAll(async () => {
  database = await createTestDatabase("ch_catalog_reads");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  catalog = new ChartCatalogReads(sql);
  mine = await insertChartFixture(sql, "mine");
  theirs = await insertChartFixture(sql, "theirs");
  for (const fixture of [mine, theirs]) {
    await sql.query("UPDATE charts SET versions = 2, description = 'A web server', keywords = '{http,proxy}' WHERE id = $1", [fixture.chartId]);
    await sql.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state, readme, archive_sha256)
       VALUES ($1, $2, '1.0.0', 'ready', '# web', 'abc'), ($1, $2, '2.0.0', 'discovered', NULL, NULL)`,
      [fixture.chartId, fixture.registryId],
    );
  }
  const [empty] = await sql.query<{ id: string }>("INSERT INTO charts (registry_id, name) VALUES ($1, 'empty') RETURNING id", [mine.registryId]);
  if (!empty) throw new Error("Cannot insert the empty chart");
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("ChartCatalogReads", () => {
  it("listCharts() shows the organisation's charts that have versions, matching q in name, description or keywords", async () => {
    const all = await catalog.listCharts(mine.organizationId, {}, { limit: 10, after: undefined });
    expect(all.map((c) => [c.registry_id, c.name])).toEqual([[mine.registryId, "web"]]);
    expect((await catalog.listCharts(mine.organizationId, { q: "PROXY" }, { limit: 10, after: undefined })).length).toBe(1);
    expect((await catalog.listCharts(mine.organizationId, { q: "50%" }, { limit: 10, after: undefined })).length).toBe(0);
    expect((await catalog.listCharts(mine.organizationId, { registryId: theirs.registryId }, { limit: 10, after: undefined })).length).toBe(0);
    const after = { name: all[0]!.name, id: all[0]!.id };
    expect(await catalog.listCharts(mine.organizationId, {}, { limit: 10, after })).toEqual([]);
  });

  it("listCharts() matches q in each field alone, whether q is long enough for the trigram index or not", async () => {
    const matches = async (q: string): Promise<number> => (await catalog.listCharts(mine.organizationId, { q }, { limit: 10, after: undefined })).length;
    // Short (no trigram), and long (the index narrows first): name, description, a keyword.
    expect([await matches("we"), await matches("WEB"), await matches("b s"), await matches("rox"), await matches("ht")]).toEqual([1, 1, 1, 1, 1]);
    // The index's text joins the fields with newlines: q across two fields, or two keywords, is no match.
    expect([await matches("web\nA web"), await matches("http\nproxy"), await matches("server\nhttp")]).toEqual([0, 0, 0]);
  });

  it("reads a chart, its versions and their files only through the organisation that owns them", async () => {
    const chart = { registryId: theirs.registryId, name: "web" };
    const ref = { registryId: theirs.registryId, chart: "web", version: "1.0.0" };
    expect(await catalog.getChart(mine.organizationId, chart)).toBeNull();
    expect(await catalog.chartExists(mine.organizationId, chart)).toBe(false);
    expect(await catalog.listVersions(mine.organizationId, chart)).toEqual([]);
    expect(await catalog.getVersionDetail(mine.organizationId, ref)).toBeNull();
    expect(await catalog.getVersionFile(mine.organizationId, ref, "readme")).toBeNull();
    expect(await catalog.getArchiveDigest(mine.organizationId, ref)).toBeNull();

    expect((await catalog.getChart(theirs.organizationId, chart))?.versions).toBe(2);
    expect((await catalog.listVersions(theirs.organizationId, chart)).map((v) => v.version).sort()).toEqual(["1.0.0", "2.0.0"]);
    expect(await catalog.getVersionDetail(theirs.organizationId, ref)).toMatchObject({ kind: "http_registry", state: "ready", has_readme: true, has_values: false });
    expect(await catalog.getVersionFile(theirs.organizationId, ref, "readme")).toEqual({ state: "ready", content: "# web" });
    expect(await catalog.getVersionFile(theirs.organizationId, ref, "values")).toEqual({ state: "ready", content: null });
    expect(await catalog.getArchiveDigest(theirs.organizationId, { ...ref, version: "2.0.0" })).toEqual({ state: "discovered", archive_sha256: null });
  });
});
