import type { SqlClient } from "@charthouse/db";
import { lockBusy } from "@charthouse/db";
import { describe, expect, it } from "vitest";
import { advisoryArchiveLocks } from "./advisory_archive_locks.ts";

/** A SqlClient that records the advisory lock names asked for, and grants or refuses the tried lock. */
function recordingDb(tryLockGranted: boolean): { db: SqlClient; asked: { statement: string; key: unknown }[] } {
  const asked: { statement: string; key: unknown }[] = [];
  const db: SqlClient = {
    query: <Row>(sql: string, params: readonly unknown[] = []) => {
      // One statement may take several locks: each is recorded with its key, in the order of its parameter.
      const locks = [...sql.matchAll(/(pg_[a-z_]+)\(hashtextextended\(\$(\d)/g)].map((m) => ({ statement: m[1]!, index: Number(m[2]) - 1 }));
      const tried = locks.some((lock) => lock.statement === "pg_try_advisory_xact_lock");
      for (const lock of locks.sort((a, b) => a.index - b.index)) {
        // A statement that tries a lock takes the others only when it is granted.
        if (lock.statement === "pg_try_advisory_xact_lock" || !tried || tryLockGranted) asked.push({ statement: lock.statement, key: params[lock.index] });
      }
      const rows: unknown[] = tried ? [{ locked: tryLockGranted }] : [];
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
