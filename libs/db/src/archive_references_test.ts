import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { ArchiveReferences } from "./archive_references.ts";
import { insertChartFixture } from "./chart_fixture_test_support.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";
import { purgeVersionTombstones } from "./version_tombstones.ts";

let database: TestDatabase;
let sql: SqlClient;
let registryId: string;
let chartId: string;

beforeAll(async () => {
  database = await createTestDatabase("ch_archive_refs");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  ({ registryId, chartId } = await insertChartFixture(sql, "refs"));
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

const newSha = (): string => randomBytes(32).toString("hex");

interface VersionFields {
  state: string;
  digest?: string | null;
  archiveSha256?: string | null;
  removedDaysAgo?: number;
}

async function insertVersion(fields: VersionFields): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO chart_versions (chart_id, registry_id, version, state, digest, archive_sha256, removed_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7::int IS NULL THEN NULL ELSE now() - make_interval(days => $7::int) END)
     RETURNING id`,
    [chartId, registryId, `1.0.0-${randomUUID()}`, fields.state, fields.digest ?? null, fields.archiveSha256 ?? null, fields.removedDaysAgo ?? null],
  );
  return row?.id ?? "";
}

describe("ArchiveReferences", () => {
  it("unreferenced() counts stored archives of live versions and published digests of waiting ones, not tombstones", async () => {
    const [ready, failed, waiting, tombstone, downloadedDigestOnly, orphan] = [newSha(), newSha(), newSha(), newSha(), newSha(), newSha()];
    await insertVersion({ state: "ready", digest: ready, archiveSha256: ready });
    await insertVersion({ state: "failed", archiveSha256: failed });
    await insertVersion({ state: "discovered", digest: waiting });
    await insertVersion({ state: "removed", digest: tombstone, archiveSha256: tombstone, removedDaysAgo: 1 });
    // A failed version that never stored its archive does not keep one with its digest.
    await insertVersion({ state: "failed", digest: downloadedDigestOnly });
    const references = new ArchiveReferences(sql);
    const found = await references.unreferenced([ready, failed, waiting, tombstone, downloadedDigestOnly, orphan]);
    expect(found.sort()).toEqual([tombstone, downloadedDigestOnly, orphan].sort());
    expect(await references.unreferenced([])).toEqual([]);
  });

  it("collectArchive() deletes under the exclusive lock, skips a download holding it shared, and checks again", async () => {
    const references = new ArchiveReferences(sql);
    const orphan = newSha();
    const removed: string[] = [];
    const remove = (sha256: string) => async (): Promise<boolean> => {
      removed.push(sha256);
      return true;
    };

    // A download holds the shared lock: the sweep leaves the archive alone.
    const download = new pg.Client({ connectionString: database.url });
    await download.connect();
    try {
      await download.query("BEGIN");
      await download.query("SELECT pg_advisory_xact_lock_shared(hashtextextended('archive-store:' || $1, 0))", [orphan]);
      expect(await references.collectArchive(orphan, remove(orphan))).toBe("busy");
      // The download records a version that stores it, then releases the lock.
      await download.query(
        "INSERT INTO chart_versions (chart_id, registry_id, version, state, archive_sha256) VALUES ($1, $2, $3, 'downloaded', $4)",
        [chartId, registryId, `2.0.0-${randomUUID()}`, orphan],
      );
      await download.query("COMMIT");
    } finally {
      await download.end();
    }
    expect(await references.collectArchive(orphan, remove(orphan))).toBe("referenced");
    expect(removed).toEqual([]);

    const unreferenced = newSha();
    expect(await references.collectArchive(unreferenced, remove(unreferenced))).toBe("deleted");
    expect(await references.collectArchive(unreferenced, async () => false)).toBe("gone");
    expect(removed).toEqual([unreferenced]);
  });
});

describe("purgeVersionTombstones()", () => {
  it("purges only tombstones older than the retention, in batches", async () => {
    const old = await Promise.all(Array.from({ length: 5 }, () => insertVersion({ state: "removed", removedDaysAgo: 40 })));
    const recent = await insertVersion({ state: "removed", removedDaysAgo: 2 });
    const live = await insertVersion({ state: "ready" });
    expect(await purgeVersionTombstones(sql, 30, { batch: 2 })).toBe(5);
    const left = await sql.query<{ id: string }>("SELECT id FROM chart_versions WHERE id = ANY($1::uuid[])", [[...old, recent, live]]);
    expect(left.map((r) => r.id).sort()).toEqual([recent, live].sort());
    expect(await purgeVersionTombstones(sql, 30)).toBe(0);
  });
});
