import type { SqlClient } from "./sql_client.ts";

/** Returned by withTryLock when another holder has the lock. */
export const lockBusy: unique symbol = Symbol("lock busy");

/**
 * Runs `work` while holding a Postgres advisory lock named by `key`, across every copy of every
 * service; answers `lockBusy` at once when another holder has it. With `shared`, it also holds
 * shared locks on those keys (waiting for an exclusive holder of one to finish): work that many
 * may do at once, but that must not overlap with one exclusive job (collecting an archive). The
 * locks are a transaction's, so they are released when `work` ends, even if the process dies.
 */
export async function withTryLock<T>(
  db: SqlClient,
  key: string,
  work: () => Promise<T>,
  options: { shared?: readonly string[] } = {},
): Promise<T | typeof lockBusy> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked", [key]);
    if (!row?.locked) return lockBusy;
    await holdShared(tx, options.shared ?? []);
    return await work();
  });
}

/** Runs `work` while holding shared advisory locks on `keys` (see withTryLock). */
export async function withSharedLocks<T>(db: SqlClient, keys: readonly string[], work: () => Promise<T>): Promise<T> {
  return await db.transaction(async (tx) => {
    await holdShared(tx, keys);
    return await work();
  });
}

async function holdShared(tx: SqlClient, keys: readonly string[]): Promise<void> {
  for (const key of keys) await tx.query("SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))", [key]);
}

/** The lock key that guards one stored archive: downloads hold it shared, collecting it exclusive. */
export function archiveStoreLockKey(sha256: string): string {
  return `archive-store:${sha256}`;
}
