import type { RegistryJson } from "@charthouse/api-types";
import type { DataSource, RegistryKind } from "@charthouse/db";
import type { StoredError } from "@charthouse/errors";
import { NotFoundError } from "@charthouse/errors";
import { decodeKeysetCursor, keysetPage, type Page, type PageRequest } from "../pagination.ts";
import { queryRows } from "@charthouse/db";
import { isoOrNull } from "../timestamps.ts";

interface RegistryRow {
  id: string;
  name: string;
  url: string;
  kind: RegistryKind;
  credential_id: string | null;
  sync_interval_seconds: number;
  state: string;
  last_sync_at: Date | null;
  last_success_at: Date | null;
  next_sync_at: Date | null;
  last_outcome: "updated" | "unchanged" | "failed" | null;
  last_error: StoredError | null;
  active_started: boolean;
  charts: number;
  versions: number;
  versions_pending: number;
  versions_failed: number;
  versions_downloaded: number;
  versions_ready: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * Registries of an organisation with their status, in ONE statement whatever the page size:
 * the page is chosen first, then chart and version counts are grouped for that page only.
 */
function registriesSql(where: string, limit: string): string {
  return `
    WITH page AS (
      SELECT * FROM registries WHERE ${where} ORDER BY name, id ${limit}
    ), chart_counts AS (
      SELECT registry_id, count(*)::int AS charts
        FROM charts WHERE registry_id IN (SELECT id FROM page) AND versions > 0 GROUP BY registry_id
    ), version_counts AS (
      SELECT registry_id,
             count(*) FILTER (WHERE state <> 'removed')::int AS versions,
             count(*) FILTER (WHERE state IN ('discovered', 'downloaded'))::int AS versions_pending,
             count(*) FILTER (WHERE state IN ('downloaded', 'ready'))::int AS versions_downloaded,
             count(*) FILTER (WHERE state = 'ready')::int AS versions_ready,
             count(*) FILTER (WHERE state = 'failed')::int AS versions_failed
        FROM chart_versions WHERE registry_id IN (SELECT id FROM page) GROUP BY registry_id
    )
    SELECT p.id, p.name, p.url, p.kind, p.credential_id, p.sync_interval_seconds, p.state,
           p.last_sync_at, p.last_success_at, p.next_sync_at, p.last_outcome, p.last_error,
           p.created_at, p.updated_at,
           (s.started_at IS NOT NULL) AS active_started,
           coalesce(c.charts, 0) AS charts, coalesce(v.versions, 0) AS versions,
           coalesce(v.versions_pending, 0) AS versions_pending, coalesce(v.versions_failed, 0) AS versions_failed,
           coalesce(v.versions_downloaded, 0) AS versions_downloaded, coalesce(v.versions_ready, 0) AS versions_ready
      FROM page p
      LEFT JOIN sync_runs s ON s.id = p.active_sync_id AND s.finished_at IS NULL
      LEFT JOIN chart_counts c ON c.registry_id = p.id
      LEFT JOIN version_counts v ON v.registry_id = p.id
     ORDER BY p.name, p.id`;
}

/** One page of an organisation's registries, ordered by name then id. */
export async function listRegistries(db: DataSource, organizationId: string, page: PageRequest): Promise<Page<RegistryJson>> {
  const after = decodeKeysetCursor(page.cursor);
  const rows = after
    ? await queryRows<RegistryRow>(db, registriesSql("organization_id = $1 AND (name, id) > ($3, $4::uuid)", "LIMIT $2"), [
        organizationId,
        page.limit + 1,
        after.name,
        after.id,
      ])
    : await queryRows<RegistryRow>(db, registriesSql("organization_id = $1", "LIMIT $2"), [organizationId, page.limit + 1]);
  return keysetPage(rows, page.limit, registryJson);
}

/** One registry of the organisation; another organisation's registry is not found. */
export async function getRegistry(db: DataSource, organizationId: string, id: string): Promise<RegistryJson> {
  const rows = await queryRows<RegistryRow>(db, registriesSql("organization_id = $1 AND id = $2", ""), [organizationId, id]);
  const row = rows[0];
  if (!row) throw new NotFoundError(`No registry with id ${id}`);
  return registryJson(row);
}

/** The registry's kind when it belongs to the organisation; otherwise not found. */
export async function registryKind(db: DataSource, organizationId: string, id: string): Promise<RegistryKind> {
  const rows = await queryRows<{ kind: RegistryKind }>(
    db,
    "SELECT kind FROM registries WHERE organization_id = $1 AND id = $2",
    [organizationId, id],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`No registry with id ${id}`);
  return row.kind;
}

function registryJson(row: RegistryRow): RegistryJson {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    kind: row.kind,
    credential_id: row.credential_id,
    sync_interval_seconds: row.sync_interval_seconds,
    status: {
      state: registryState(row),
      last_sync_at: isoOrNull(row.last_sync_at),
      last_success_at: isoOrNull(row.last_success_at),
      next_sync_at: isoOrNull(row.next_sync_at),
      last_outcome: row.last_outcome,
      last_error: row.last_error,
      charts: row.charts,
      versions: row.versions,
      versions_pending: row.versions_pending,
      versions_failed: row.versions_failed,
      versions_downloaded: row.versions_downloaded,
      versions_ready: row.versions_ready,
    },
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** syncing while its active run has started; disabled when never synced automatically; else as stored. */
function registryState(row: RegistryRow): RegistryJson["status"]["state"] {
  if (row.active_started) return "syncing";
  if (row.sync_interval_seconds === 0) return "disabled";
  if (row.state === "ok" || row.state === "error") return row.state;
  return "pending";
}
