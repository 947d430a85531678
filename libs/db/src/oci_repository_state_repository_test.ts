import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { insertChartFixture } from "./chart_fixture_test_support.ts";
import { OciRepositoryStateRepository, type OciRepositoryState } from "./oci_repository_state_repository.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let states: OciRepositoryStateRepository;

beforeAll(async () => {
  database = await createTestDatabase("ch_oci_repository_state");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  states = new OciRepositoryStateRepository(sql);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

const RECHECKED = new Date("2026-11-30T12:00:00.000Z");

/** The state of repository `name` whose tag list hashes to `hash`. */
const state = (name: string, hash: string, skippedTags: string[] = []): OciRepositoryState => ({
  name,
  tagsHash: hash.repeat(64),
  skippedTags,
  recheckedAt: RECHECKED,
});

describe("OciRepositoryStateRepository", () => {
  it("remembers nothing of a registry that was never synced", async () => {
    const { registryId } = await insertChartFixture(sql, "never");
    expect(await states.forRegistry(registryId)).toEqual(new Map());
  });

  it("reads back each repository's tag-list hash, skipped tags and re-check time by name", async () => {
    const { registryId } = await insertChartFixture(sql, "written");
    await states.replace(registryId, [state("org/charts/nginx", "a", ["sig-1", "sbom-1"]), state("org/charts/redis", "b")], [
      "org/charts/nginx",
      "org/charts/redis",
    ]);
    expect(await states.forRegistry(registryId)).toEqual(
      new Map([
        ["org/charts/nginx", state("org/charts/nginx", "a", ["sig-1", "sbom-1"])],
        ["org/charts/redis", state("org/charts/redis", "b")],
      ]),
    );
  });

  it("replace() overwrites a changed hash, keeps the repositories it is told to and forgets the rest", async () => {
    const { registryId } = await insertChartFixture(sql, "replaced");
    await states.replace(registryId, [state("nginx", "a"), state("redis", "b"), state("gone", "c")], ["nginx", "redis", "gone"]);
    const later = new Date("2026-12-01T08:30:00.000Z");
    await states.replace(registryId, [{ ...state("nginx", "d", ["sig-2"]), recheckedAt: later }], ["nginx", "redis"]);
    expect(await states.forRegistry(registryId)).toEqual(
      new Map([
        ["nginx", { ...state("nginx", "d", ["sig-2"]), recheckedAt: later }],
        ["redis", state("redis", "b")],
      ]),
    );
  });

  it("replace() with nothing to keep forgets every repository of the registry", async () => {
    const { registryId } = await insertChartFixture(sql, "emptied");
    await states.replace(registryId, [state("nginx", "a")], ["nginx"]);
    await states.replace(registryId, [], []);
    expect((await states.forRegistry(registryId)).size).toBe(0);
  });

  it("keeps each registry's repositories apart, also when one registry is forgotten", async () => {
    const mine = await insertChartFixture(sql, "mine");
    const theirs = await insertChartFixture(sql, "theirs");
    await states.replace(mine.registryId, [state("nginx", "a")], ["nginx"]);
    await states.replace(theirs.registryId, [state("nginx", "b"), state("redis", "c")], ["nginx", "redis"]);
    await states.replace(mine.registryId, [state("nginx", "e")], ["nginx"]);
    expect((await states.forRegistry(theirs.registryId)).get("nginx")?.tagsHash).toBe("b".repeat(64));
    expect([...(await states.forRegistry(theirs.registryId)).keys()].sort()).toEqual(["nginx", "redis"]);
    await states.forget(mine.registryId);
    expect((await states.forRegistry(mine.registryId)).size).toBe(0);
    expect((await states.forRegistry(theirs.registryId)).size).toBe(2);
  });
});
