import type { SqlClient } from "./sql_client.ts";

/** Registries of one state, with the newest and oldest last successful sync among them (Unix seconds). */
export interface RegistryStateCount {
  state: string;
  registries: number;
  newest_success: number | null;
  oldest_success: number | null;
}

/** Chart versions of one state. */
export interface ChartVersionStateCount {
  state: string;
  versions: number;
}

// One scan of registries for all three registry gauges. A registry is syncing while its active run
// has started (the lease writes only the run); else it counts in its stored state. The oldest
// counts registries that sync on an interval and are not disabled; one that never succeeded counts
// from its creation, so a registry that has been failing since it was added still ages.
const registryStateSql = `
  SELECT CASE WHEN s.started_at IS NOT NULL THEN 'syncing' ELSE r.state END AS state,
         count(*)::int AS registries,
         extract(epoch FROM max(r.last_success_at))::float8 AS newest_success,
         extract(epoch FROM min(coalesce(r.last_success_at, r.created_at))
           FILTER (WHERE r.sync_interval_seconds > 0 AND r.state <> 'disabled'))::float8 AS oldest_success
    FROM registries r
    LEFT JOIN sync_runs s ON s.id = r.active_sync_id AND s.finished_at IS NULL
   GROUP BY 1`;

/**
 * The reads behind the domain gauges, over every organisation. Each statement is cancelled by
 * Postgres itself after `timeoutMs` (statement_timeout, local to its own transaction), so a slow
 * scrape-time read never holds a connection for long.
 */
export class DomainGaugeReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Registries counted by stored state (syncing while a run has started), with their newest and oldest successful syncs. */
  async registryStates(options: { timeoutMs: number }): Promise<RegistryStateCount[]> {
    return await this.#bounded<RegistryStateCount>(registryStateSql, options.timeoutMs);
  }

  /** Chart versions counted by state. */
  async chartVersionStates(options: { timeoutMs: number }): Promise<ChartVersionStateCount[]> {
    return await this.#bounded<ChartVersionStateCount>("SELECT state, count(*)::int AS versions FROM chart_versions GROUP BY state", options.timeoutMs);
  }

  async #bounded<Row>(statement: string, timeoutMs: number): Promise<Row[]> {
    const limit = Math.max(1, Math.floor(timeoutMs));
    return await this.#sql.transaction(async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = ${limit}`);
      return await tx.query<Row>(statement);
    });
  }
}
