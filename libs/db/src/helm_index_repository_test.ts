import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture, type ChartFixture } from "./chart_fixture_test_support.ts";
import { HelmIndexRepository, type BuiltHelmIndex, type HelmIndexEntryPages, type HelmIndexEntryRow } from "./helm_index_repository.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let repo: HelmIndexRepository;
let mine: ChartFixture;
let theirs: ChartFixture;

async function built(pages: HelmIndexEntryPages): Promise<BuiltHelmIndex> {
  const entries: HelmIndexEntryRow[] = [];
  for await (const page of pages) entries.push(...page);
  const text = Buffer.from(entries.map((e) => `${e.chart}-${e.version}`).join(","));
  return {
    etag: `etag-${text.toString()}`,
    versionCount: entries.length,
    yamlGzip: Buffer.concat([Buffer.from("y:"), text]),
    jsonGzip: Buffer.concat([Buffer.from("j:"), text]),
    yamlBytes: 10,
    jsonBytes: 20,
    buildMs: 1,
  };
}

async function addVersion(fixture: ChartFixture, version: string, state: string): Promise<void> {
  await sql.query(
    `INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256, chart_yaml, updated_at)
     VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'ready' THEN repeat('a', 64) END, '{"apiVersion":"v2"}', now() - interval '1 minute')`,
    [fixture.chartId, fixture.registryId, version, state],
  );
}

beforeAll(async () => {
  database = await createTestDatabase("ch_helm_indexes");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  repo = new HelmIndexRepository(sql);
  mine = await insertChartFixture(sql, "mine");
  theirs = await insertChartFixture(sql, "theirs");
  await addVersion(mine, "1.0.0", "ready");
  await addVersion(mine, "1.1.0", "discovered");
  await addVersion(theirs, "9.0.0", "ready");
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("HelmIndexRepository", () => {
  it("finds a registry by name within its organisation only", async () => {
    expect(await repo.findState(mine.organizationId, "mine")).toMatchObject({ registry_id: mine.registryId, etag: null, stale: true });
    expect(await repo.findState(theirs.organizationId, "mine")).toBeNull();
    expect(await repo.findStateById(mine.registryId)).toEqual(await repo.findState(mine.organizationId, "mine"));
    expect(await repo.findStateById("00000000-0000-0000-0000-000000000000")).toBeNull();
  });

  it("stores an index of the ready versions only, current until a version changes", async () => {
    expect(await repo.rebuild(mine.registryId, built)).toBe(true);
    const state = await repo.findState(mine.organizationId, "mine");
    expect(state).toMatchObject({ etag: "etag-web-1.0.0", version_count: 1, stale: false, built_recently: true });
    const bytes = await repo.loadBytes(mine.registryId);
    expect(bytes?.yaml_gzip.toString()).toBe("y:web-1.0.0");
    expect(bytes?.json_gzip.toString()).toBe("j:web-1.0.0");
    expect(bytes).toMatchObject({ yaml_bytes: "10", json_bytes: "20" });

    await sql.query("UPDATE chart_versions SET state = 'ready', archive_sha256 = repeat('b', 64), updated_at = now() WHERE registry_id = $1 AND version = '1.1.0'", [mine.registryId]);
    expect(await repo.findState(mine.organizationId, "mine")).toMatchObject({ stale: true });
    await repo.rebuild(mine.registryId, built);
    expect((await repo.findState(mine.organizationId, "mine"))?.etag).toBe("etag-web-1.0.0,web-1.1.0");
  });

  it("answers false without building while another holds the registry's lock", async () => {
    let release: () => void = () => undefined;
    const holding = repo.rebuild(mine.registryId, async (entries) => {
      await new Promise<void>((resolve) => (release = resolve));
      return await built(entries);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await repo.rebuild(mine.registryId, built)).toBe(false);
    release();
    expect(await holding).toBe(true);
  });

  it("reads the ready versions in pages of whole charts, charts by name", async () => {
    const paged = await insertChartFixture(sql, "paged");
    await addVersion(paged, "1.0.0", "ready");
    await addVersion(paged, "2.0.0", "ready");
    await addVersion(paged, "3.0.0", "failed");
    for (const name of ["b-two", "a", "b"]) {
      const [chart] = await sql.query<{ id: string }>("INSERT INTO charts (registry_id, name) VALUES ($1, $2) RETURNING id", [paged.registryId, name]);
      await addVersion({ ...paged, chartId: chart!.id }, "0.1.0", "ready");
    }
    const pages: string[][] = [];
    for await (const page of repo.entryPages(paged.registryId, 2)) pages.push(page.map((row) => `${row.chart}-${row.version}`));
    expect(pages.map((page) => page.sort())).toEqual([["a-0.1.0", "b-0.1.0"], ["b-two-0.1.0", "web-1.0.0", "web-2.0.0"]]);
    const single: string[][] = [];
    for await (const page of repo.entryPages(paged.registryId, 1)) single.push(page.map((row) => row.chart));
    expect(single).toEqual([["a"], ["b"], ["b-two"], ["web", "web"]]);
    const none = await insertChartFixture(sql, "empty");
    const nothing: unknown[] = [];
    for await (const page of repo.entryPages(none.registryId)) nothing.push(page);
    expect(nothing).toEqual([]);
  });

  it("finds a ready archive by {name}-{version} of the organisation's registry only", async () => {
    expect(await repo.findArchive(mine.organizationId, "mine", "web-1.0.0")).toBe("a".repeat(64));
    expect(await repo.findArchive(mine.organizationId, "mine", "web-2.0.0")).toBeNull();
    expect(await repo.findArchive(theirs.organizationId, "mine", "web-1.0.0")).toBeNull();
    expect(await repo.findArchive(mine.organizationId, "theirs", "web-9.0.0")).toBeNull();
  });
});
