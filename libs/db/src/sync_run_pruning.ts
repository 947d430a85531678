import { lockBusy, withTryLock } from "./advisory_lock.ts";
import type { SqlClient } from "./sql_client.ts";

/** How much sync history each registry keeps. */
export interface SyncRunRetention {
  /** A finished run requested longer ago than this is deleted. */
  retentionDays: number;
  /** A finished run that is not among its registry's newest `keep` runs is deleted. */
  keep: number;
}

/** What one pruning did. */
export interface SyncRunPruning {
  deleted: number;
  /** Another copy of the scheduler held the lock (it is pruning): this one deleted nothing. */
  busy: boolean;
}

/** The advisory lock a pruning holds, so copies of the scheduler never prune at once. */
export const syncRunPruneLockKey = "sync-runs:prune";

// Per registry, in registry order from $4: a run goes when it is older than the retention or than
// the keep-th newest run, whichever cutoff is later, but never the newest finished run whatever its
// age (the notifier compares a failure with it to tell a new stretch of failures). Only finished
// runs go, never the registry's active one. Each lookup is a short range of sync_runs_by_registry,
// and the delete goes by primary key (a join with the CTE would make it scan the whole table).
const pruneBatch = `WITH doomed AS (
     SELECT s.id, s.registry_id
       FROM (SELECT id, active_sync_id FROM registries WHERE id >= $4::uuid ORDER BY id) r
       CROSS JOIN LATERAL (
         SELECT least(
                  greatest(
                    (SELECT requested_at FROM sync_runs WHERE registry_id = r.id
                      ORDER BY requested_at DESC OFFSET $2::int - 1 LIMIT 1),
                    now() - make_interval(days => $1::int)),
                  (SELECT requested_at FROM sync_runs WHERE registry_id = r.id AND finished_at IS NOT NULL
                    ORDER BY requested_at DESC LIMIT 1)) AS before
       ) cutoff
       CROSS JOIN LATERAL (
         SELECT id, registry_id FROM sync_runs
          WHERE registry_id = r.id AND requested_at < cutoff.before AND finished_at IS NOT NULL
            AND id IS DISTINCT FROM r.active_sync_id
          LIMIT $3
       ) s
      ORDER BY r.id
      LIMIT $3
   ), deleted AS (
     DELETE FROM sync_runs WHERE id = ANY(ARRAY(SELECT id FROM doomed)) AND finished_at IS NOT NULL RETURNING 1
   )
   SELECT (SELECT count(*) FROM deleted)::int AS deleted, (SELECT count(*) FROM doomed)::int AS found,
          (SELECT registry_id FROM doomed ORDER BY registry_id DESC LIMIT 1) AS last_registry`;

const firstUuid = "00000000-0000-0000-0000-000000000000";

/**
 * Deletes the sync history past its retention (see SyncRunRetention; unfinished runs and each
 * registry's newest finished run always stay), `batch` rows per statement, walking the registries
 * in id order to the last. Copies of the scheduler take turns: the one that gets the
 * `sync-runs:prune` lock prunes, the others answer `busy` at once. The lock's transaction does
 * nothing else, so it holds no row and no snapshot; each batch is a statement that commits alone,
 * so no lock on sync_runs is held long and no transaction grows with the backlog. An aborted
 * `signal` ends the walk after the batch under way.
 */
export async function pruneSyncRuns(
  db: SqlClient,
  retention: SyncRunRetention,
  options: { batch?: number; signal?: AbortSignal | undefined } = {},
): Promise<SyncRunPruning> {
  const batch = options.batch ?? 5_000;
  const done = await withTryLock(db, syncRunPruneLockKey, async () => {
    let from = firstUuid;
    let deleted = 0;
    for (;;) {
      const [row] = await db.query<{ deleted: number; found: number; last_registry: string | null }>(pruneBatch, [
        retention.retentionDays,
        retention.keep,
        batch,
        from,
      ]);
      deleted += row?.deleted ?? 0;
      // Fewer than a batch found: the walk reached the last registry.
      if (!row || row.found < batch || row.last_registry === null) return deleted;
      // The rest waits for the next pruning: this one is being stopped (shutdown).
      if (options.signal?.aborted) return deleted;
      // The last registry may have more to delete: the next batch starts on it again.
      from = row.last_registry;
    }
  });
  return done === lockBusy ? { deleted: 0, busy: true } : { deleted: done, busy: false };
}
