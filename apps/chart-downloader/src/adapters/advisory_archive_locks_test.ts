import type { SqlClient } from "@charthouse/db";
import { lockBusy } from "@charthouse/db";
import { describe, expect, it } from "vitest";
import { advisoryArchiveLocks } from "./advisory_archive_locks.ts";

/** A SqlClient that records the advisory lock names asked for, and grants or refuses the tried lock. */
function recordingDb(tryLockGranted: boolean): { db: SqlClient; asked: { statement: string; key: unknown }[] } {
  const asked: { statement: string; key: unknown }[] = [];
  const db: SqlClient = {
    query: <Row>(sql: string, params: readonly unknown[] = []) => {
      const statement = /pg_[a-z_]+/.exec(sql)?.[0] ?? sql;
      asked.push({ statement, key: params[0] });
      const rows: unknown[] = statement === "pg_try_advisory_xact_lock" ? [{ locked: tryLockGranted }] : [];
      return Promise.resolve(rows as Row[]);
    },
    transaction: (run) => run(db),
    close: () => Promise.resolve(),
  };
  return { db, asked };
}

const digest = "c".repeat(64);

describe("advisoryArchiveLocks()", () => {
  it("tries the registry's download lock on the digest, then holds the archive's store lock shared", async () => {
    const { db, asked } = recordingDb(true);
    const result = await advisoryArchiveLocks(db).downloadOnce("r1", digest, () => Promise.resolve("stored"));
    expect(result).toBe("stored");
    expect(asked).toEqual([
      { statement: "pg_try_advisory_xact_lock", key: `archive:r1:${digest}` },
      { statement: "pg_advisory_xact_lock_shared", key: `archive-store:${digest}` },
    ]);
  });

  it("answers lockBusy without running the download while another copy holds the lock", async () => {
    const { db } = recordingDb(false);
    let ran = false;
    const result = await advisoryArchiveLocks(db).downloadOnce("r1", digest, () => {
      ran = true;
      return Promise.resolve("stored");
    });
    expect(result).toBe(lockBusy);
    expect(ran).toBe(false);
  });

  it("holds the store lock the storage sweep takes before it collects an archive", async () => {
    const { db, asked } = recordingDb(true);
    await advisoryArchiveLocks(db).keepStored(digest, () => Promise.resolve());
    expect(asked).toEqual([{ statement: "pg_advisory_xact_lock_shared", key: `archive-store:${digest}` }]);
  });
});
