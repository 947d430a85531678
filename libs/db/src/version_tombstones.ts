import type { SqlClient } from "./sql_client.ts";

/**
 * Purges removed versions (tombstones) removed more than `retentionDays` ago, `batch` rows per
 * statement until none is left (never one round trip per row); returns how many were purged.
 */
export async function purgeVersionTombstones(db: SqlClient, retentionDays: number, options: { batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? 5_000;
  let purged = 0;
  for (;;) {
    const rows = await db.query<{ purged: number }>(
      `WITH doomed AS (
         SELECT id FROM chart_versions
          WHERE state = 'removed' AND removed_at < now() - make_interval(days => $1::int)
          LIMIT $2
       ), deleted AS (
         DELETE FROM chart_versions v USING doomed WHERE v.id = doomed.id AND v.state = 'removed' RETURNING 1
       )
       SELECT count(*)::int AS purged FROM deleted`,
      [retentionDays, batch],
    );
    const count = rows[0]?.purged ?? 0;
    purged += count;
    if (count < batch) return purged;
  }
}
