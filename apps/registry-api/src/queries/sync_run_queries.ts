import type { SyncRunJson } from "@charthouse/api-types";
import type { SyncRunRow } from "@charthouse/db";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";
import { isoOrNull } from "../timestamps.ts";

/**
 * One page of a registry's sync runs, newest first. The organisation is part of the query too,
 * not only of the caller's check, so no path can list another organisation's runs.
 */
export async function listSyncRuns(
  db: ApiRepositories,
  organizationId: string,
  registryId: string,
  page: PageRequest,
): Promise<Page<SyncRunJson>> {
  const rows = await db.syncRunReads.list(organizationId, registryId, keysetSliceOf(page));
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
