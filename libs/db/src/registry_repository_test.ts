import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "@charthouse/errors";
import { RegistryRepository, type NewRegistry } from "./registry_repository.ts";
import type { SqlClient } from "./sql_client.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";

let database: TwoOrganizationDatabase;
let sql: SqlClient;
let registries: RegistryRepository;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_registry_repo");
  ({ sql, orgA, orgB } = database);
  registries = new RegistryRepository(sql);
});

afterAll(() => database?.close());

const registry = (name: string, syncIntervalSeconds = 120): NewRegistry => ({
  name,
  url: `https://${name}.example.invalid`,
  kind: "http_registry",
  credentialId: null,
  syncIntervalSeconds,
});

describe("RegistryRepository", () => {
  it("lists one organisation's registries by name, page by page, with their chart and version counts", async () => {
    const id = await registries.insert(orgB, registry("b-one"));
    await registries.insert(orgB, registry("b-two"));
    await registries.insert(orgA, registry("a-only"));
    const [chart] = await sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, versions) VALUES ($1, 'web', 2) RETURNING id", [id]);
    await sql.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state) VALUES ($1, $2, '1.0.0', 'ready'), ($1, $2, '1.1.0', 'failed'), ($1, $2, '0.9.0', 'removed')`,
      [chart!.id, id],
    );
    const first = await registries.list(orgB, { limit: 1, after: undefined });
    expect(first.map((r) => r.name)).toEqual(["b-one"]);
    expect(first[0]).toMatchObject({ charts: 1, versions: 2, versions_ready: 1, versions_failed: 1, versions_pending: 0, state: "pending" });
    const rest = await registries.list(orgB, { limit: 10, after: { name: "b-one", id } });
    expect(rest.map((r) => r.name)).toEqual(["b-two"]);
    expect(await registries.get(orgA, id)).toBeNull();
    expect(await registries.kindOf(orgA, id)).toBeNull();
    expect(await registries.kindOf(orgB, id)).toBe("http_registry");
  });

  it("shows a registry syncing while its active run has started, disabled without an interval, else as its last sync left it", async () => {
    const stateOf = async (id: string) => (await registries.get(orgA, id))?.state;
    const syncing = await registries.insert(orgA, registry("state-syncing"));
    const [run] = await sql.query<{ id: string }>("INSERT INTO sync_runs (registry_id, trigger) VALUES ($1, 'manual') RETURNING id", [syncing]);
    await sql.query("UPDATE registries SET active_sync_id = $2, state = 'ok' WHERE id = $1", [syncing, run!.id]);
    expect(await stateOf(syncing)).toBe("ok");
    await sql.query("UPDATE sync_runs SET started_at = now() WHERE id = $1", [run!.id]);
    expect(await stateOf(syncing)).toBe("syncing");
    await sql.query("UPDATE sync_runs SET finished_at = now() WHERE id = $1", [run!.id]);
    expect(await stateOf(syncing)).toBe("ok");
    expect(await stateOf(await registries.insert(orgA, registry("state-disabled", 0)))).toBe("disabled");
  });

  it("insert() schedules the next sync one interval ahead, or never for interval 0; a taken name is a conflict", async () => {
    const scheduled = await registries.get(orgA, await registries.insert(orgA, registry("scheduled", 600)));
    const manual = await registries.get(orgA, await registries.insert(orgA, registry("manual", 0)));
    expect(scheduled?.next_sync_at?.getTime()).toBeGreaterThan(Date.now() + 500_000);
    expect(manual?.next_sync_at).toBeNull();
    await expect(registries.insert(orgA, registry("manual"))).rejects.toThrow(ConflictError);
  });

  it("update() with a new url forgets the stored validators; another organisation's registry is not found", async () => {
    const id = await registries.insert(orgA, registry("moving"));
    await sql.query("UPDATE registries SET etag = 'e', last_modified = 'lm', content_hash = 'h' WHERE id = $1", [id]);
    await expect(registries.update(orgB, id, { url: "https://elsewhere.example.invalid" })).rejects.toThrow(NotFoundError);
    await registries.update(orgA, id, { name: "moving" });
    expect((await sql.query<{ etag: string | null }>("SELECT etag FROM registries WHERE id = $1", [id]))[0]?.etag).toBe("e");
    await registries.update(orgA, id, { url: "https://elsewhere.example.invalid" });
    const [row] = await sql.query("SELECT url, etag, last_modified, content_hash FROM registries WHERE id = $1", [id]);
    expect(row).toEqual({ url: "https://elsewhere.example.invalid", etag: null, last_modified: null, content_hash: null });
  });

  it("delete() removes the organisation's registry only", async () => {
    const id = await registries.insert(orgA, registry("doomed"));
    await expect(registries.delete(orgB, id)).rejects.toThrow(NotFoundError);
    await registries.delete(orgA, id);
    expect(await registries.get(orgA, id)).toBeNull();
  });
});
