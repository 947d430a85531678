import type { StoredError } from "@charthouse/errors";
import type { KeysetSlice } from "./keyset_slice.ts";
import type { SqlClient } from "./sql_client.ts";
import type { SyncNote } from "./stored_types.ts";

/** A sync run as the API lists it. */
export interface SyncRunRow {
  id: string;
  /** requested_at as Postgres text (microseconds kept): the keyset position. */
  name: string;
  trigger: "schedule" | "manual" | "create" | "push";
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  outcome: "updated" | "unchanged" | "failed" | null;
  http_status: number | null;
  /** bigint, as Postgres text. */
  bytes: string | null;
  charts_seen: number | null;
  versions_added: number | null;
  versions_removed: number | null;
  duration_ms: number | null;
  attempts: number;
  error: StoredError | null;
  notes: SyncNote[] | null;
}

const columns = `id, requested_at::text AS name, trigger, requested_at, started_at, finished_at, outcome, http_status,
                 bytes, charts_seen, versions_added, versions_removed, duration_ms, attempts, error, notes`;

/** The API's reads of sync history. */
export class SyncRunReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /**
   * A slice of a registry's sync runs, newest first (the keyset goes backwards in time). The
   * organisation is part of the query too, not only of the caller's check, so no path can list
   * another organisation's runs.
   */
  async list(organizationId: string, registryId: string, slice: KeysetSlice): Promise<SyncRunRow[]> {
    const owned = "registry_id = $1 AND registry_id IN (SELECT id FROM registries WHERE organization_id = $5)";
    const { after } = slice;
    return after
      ? await this.#sql.query<SyncRunRow>(
          `SELECT ${columns} FROM sync_runs
            WHERE ${owned} AND (requested_at, id) < ($3::timestamptz, $4::uuid)
            ORDER BY requested_at DESC, id DESC LIMIT $2`,
          [registryId, slice.limit, after.name, after.id, organizationId],
        )
      : await this.#sql.query<SyncRunRow>(
          `SELECT ${columns} FROM sync_runs WHERE ${owned.replace("$5", "$3")} ORDER BY requested_at DESC, id DESC LIMIT $2`,
          [registryId, slice.limit, organizationId],
        );
  }
}
