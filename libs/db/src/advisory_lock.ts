import type { SqlClient } from "./sql_client.ts";

/** Returned by withTryLock when another holder has the lock. */
export const lockBusy: unique symbol = Symbol("lock busy");

/**
 * Runs `work` while holding a Postgres advisory lock named by `key`, across every copy of every
 * service; answers `lockBusy` at once when another holder has it. The lock is a transaction's,
 * so it is released when `work` ends, even if the process dies.
 */
export async function withTryLock<T>(db: SqlClient, key: string, work: () => Promise<T>): Promise<T | typeof lockBusy> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked", [key]);
    if (!row?.locked) return lockBusy;
    return await work();
  });
}
