import type { SyncRunJson } from "@charthouse/api-types";
import type { DataSource, SyncNote } from "@charthouse/db";
import type { StoredError } from "@charthouse/errors";
import { decodeKeysetCursor, keysetPage, type Page, type PageRequest } from "../pagination.ts";
import { queryRows } from "@charthouse/db";
import { isoOrNull } from "../timestamps.ts";

interface SyncRunRow {
  id: string;
  /** requested_at as Postgres text (microseconds kept): the keyset position. */
  name: string;
  trigger: SyncRunJson["trigger"];
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  outcome: SyncRunJson["outcome"];
  http_status: number | null;
  bytes: string | null;
  charts_seen: number | null;
  versions_added: number | null;
  versions_removed: number | null;
  duration_ms: number | null;
  attempts: number;
  error: StoredError | null;
  notes: SyncNote[] | null;
}

/**
 * One page of a registry's sync runs, newest first. The organisation is part of the query too,
 * not only of the caller's check, so no path can list another organisation's runs.
 */
export async function listSyncRuns(
  db: DataSource,
  organizationId: string,
  registryId: string,
  page: PageRequest,
): Promise<Page<SyncRunJson>> {
  const after = decodeKeysetCursor(page.cursor);
  const columns = `id, requested_at::text AS name, trigger, requested_at, started_at, finished_at, outcome, http_status,
                   bytes, charts_seen, versions_added, versions_removed, duration_ms, attempts, error, notes`;
  const owned = "registry_id = $1 AND registry_id IN (SELECT id FROM registries WHERE organization_id = $5)";
  const rows = after
    ? await queryRows<SyncRunRow>(
        db,
        `SELECT ${columns} FROM sync_runs
          WHERE ${owned} AND (requested_at, id) < ($3::timestamptz, $4::uuid)
          ORDER BY requested_at DESC, id DESC LIMIT $2`,
        [registryId, page.limit + 1, after.name, after.id, organizationId],
      )
    : await queryRows<SyncRunRow>(
        db,
        `SELECT ${columns} FROM sync_runs WHERE ${owned.replace("$5", "$3")} ORDER BY requested_at DESC, id DESC LIMIT $2`,
        [registryId, page.limit + 1, organizationId],
      );
  return keysetPage(rows, page.limit, syncRunJson);
}

function syncRunJson(row: SyncRunRow): SyncRunJson {
  return {
    id: row.id,
    trigger: row.trigger,
    requested_at: row.requested_at.toISOString(),
    started_at: isoOrNull(row.started_at),
    finished_at: isoOrNull(row.finished_at),
    outcome: row.outcome,
    http_status: row.http_status,
    bytes: row.bytes === null ? null : Number(row.bytes),
    charts_seen: row.charts_seen,
    versions_added: row.versions_added,
    versions_removed: row.versions_removed,
    duration_ms: row.duration_ms,
    attempts: row.attempts,
    error: row.error,
    notes: row.notes ?? [],
  };
}
