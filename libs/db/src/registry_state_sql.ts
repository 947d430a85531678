/**
 * A registry's state as the API and the gauges show it, from its row `r` and its active sync run
 * `s` (LEFT JOINed on r.active_sync_id, unfinished): syncing while that run has started, disabled
 * when it never syncs on its own, ok or error as its last sync left it, else pending. Derived when
 * read rather than stored: a fleet's every sync would otherwise write its registry row once more
 * only to say "syncing" for the few milliseconds a 304 takes.
 */
export function registryStateSql(r: string, s: string): string {
  return `CASE WHEN ${s}.started_at IS NOT NULL THEN 'syncing'
              WHEN ${r}.sync_interval_seconds = 0 THEN 'disabled'
              WHEN ${r}.state IN ('ok', 'error') THEN ${r}.state
              ELSE 'pending' END`;
}
