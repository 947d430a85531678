import { ConflictError, NotFoundError, type StoredError } from "@charthouse/errors";
import type { KeysetSlice } from "./keyset_slice.ts";
import { isUniqueViolation } from "./pg_errors.ts";
import { registryStateSql } from "./registry_state_sql.ts";
import type { SqlClient } from "./sql_client.ts";
import type { RegistryKind } from "./stored_types.ts";

/** A registry with its sync status and chart and version counts, as the API lists it. */
export interface RegistryStatusRow {
  id: string;
  name: string;
  url: string;
  kind: RegistryKind;
  credential_id: string | null;
  sync_interval_seconds: number;
  /** As registryStateSql derives it. */
  state: "pending" | "syncing" | "ok" | "error" | "disabled";
  last_sync_at: Date | null;
  last_success_at: Date | null;
  next_sync_at: Date | null;
  last_outcome: "updated" | "unchanged" | "failed" | null;
  last_error: StoredError | null;
  charts: number;
  versions: number;
  versions_pending: number;
  versions_failed: number;
  versions_downloaded: number;
  versions_ready: number;
  created_at: Date;
  updated_at: Date;
}

/** A validated new registry. */
export interface NewRegistry {
  name: string;
  url: string;
  kind: RegistryKind;
  credentialId: string | null;
  syncIntervalSeconds: number;
}

/** A validated change to a registry; absent fields stay as they are. */
export interface RegistryChange {
  name?: string;
  url?: string;
  credentialId?: string | null;
  syncIntervalSeconds?: number;
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
    SELECT p.id, p.name, p.url, p.kind, p.credential_id, p.sync_interval_seconds, ${registryStateSql("p", "s")} AS state,
           p.last_sync_at, p.last_success_at, p.next_sync_at, p.last_outcome, p.last_error,
           p.created_at, p.updated_at,
           coalesce(c.charts, 0) AS charts, coalesce(v.versions, 0) AS versions,
           coalesce(v.versions_pending, 0) AS versions_pending, coalesce(v.versions_failed, 0) AS versions_failed,
           coalesce(v.versions_downloaded, 0) AS versions_downloaded, coalesce(v.versions_ready, 0) AS versions_ready
      FROM page p
      LEFT JOIN sync_runs s ON s.id = p.active_sync_id AND s.finished_at IS NULL
      LEFT JOIN chart_counts c ON c.registry_id = p.id
      LEFT JOIN version_counts v ON v.registry_id = p.id
     ORDER BY p.name, p.id`;
}

/** The registries users add: the API's reads and writes of them. */
export class RegistryRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** A slice of an organisation's registries with their status, ordered by name then id. */
  async list(organizationId: string, slice: KeysetSlice): Promise<RegistryStatusRow[]> {
    const { after } = slice;
    return after
      ? await this.#sql.query<RegistryStatusRow>(registriesSql("organization_id = $1 AND (name, id) > ($3, $4::uuid)", "LIMIT $2"), [
          organizationId,
          slice.limit,
          after.name,
          after.id,
        ])
      : await this.#sql.query<RegistryStatusRow>(registriesSql("organization_id = $1", "LIMIT $2"), [organizationId, slice.limit]);
  }

  /** One registry of the organisation with its status, or null (another organisation's is null). */
  async get(organizationId: string, id: string): Promise<RegistryStatusRow | null> {
    const rows = await this.#sql.query<RegistryStatusRow>(registriesSql("organization_id = $1 AND id = $2", ""), [organizationId, id]);
    return rows[0] ?? null;
  }

  /** Registries of the organisation with their status, in the order of `ids` (ids of another organisation are left out). */
  async getMany(organizationId: string, ids: readonly string[]): Promise<RegistryStatusRow[]> {
    const rows = await this.#sql.query<RegistryStatusRow>(registriesSql("organization_id = $1 AND id = ANY($2::uuid[])", ""), [organizationId, ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** The registry's kind when it belongs to the organisation, or null. */
  async kindOf(organizationId: string, id: string): Promise<RegistryKind | null> {
    const rows = await this.#sql.query<{ kind: RegistryKind }>("SELECT kind FROM registries WHERE organization_id = $1 AND id = $2", [
      organizationId,
      id,
    ]);
    return rows[0]?.kind ?? null;
  }

  /**
   * Inserts a registry and returns its id. Its first sync is requested by the caller right after
   * (trigger "create"), so next_sync_at starts one interval from now: the scheduler takes over
   * after that first sync and never doubles it (it also skips registries with an active sync). A
   * NULL next_sync_at means "never scheduled", which is how interval 0 (automatic sync disabled) is stored.
   */
  async insert(organizationId: string, registry: NewRegistry): Promise<string> {
    const [id] = await this.insertMany(organizationId, [registry]);
    return id!;
  }

  /**
   * Inserts registries in one statement, all or none, and returns their ids in the order given
   * (see insert). A name the organisation already uses is a ConflictError naming it; callers
   * refuse a name given twice before, as a field error.
   */
  async insertMany(organizationId: string, registries: readonly NewRegistry[]): Promise<string[]> {
    try {
      const rows = await this.#sql.query<{ id: string; name: string }>(
        `INSERT INTO registries (organization_id, name, url, kind, credential_id, sync_interval_seconds, next_sync_at)
         SELECT $1, r.name, r.url, r.kind, r.credential_id, r.seconds,
                CASE WHEN r.seconds = 0 THEN NULL ELSE now() + make_interval(secs => r.seconds) END
           FROM unnest($2::text[], $3::text[], $4::text[], $5::uuid[], $6::int[]) AS r(name, url, kind, credential_id, seconds)
         RETURNING id, name`,
        [
          organizationId,
          registries.map((r) => r.name),
          registries.map((r) => r.url),
          registries.map((r) => r.kind),
          registries.map((r) => r.credentialId),
          registries.map((r) => r.syncIntervalSeconds),
        ],
      );
      // Names are unique in an organisation: they map each returned id back to its place.
      const ids = new Map(rows.map((row) => [row.name, row.id]));
      return registries.map((r) => ids.get(r.name)!);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(takenName(err) ?? registries[0]!.name, err);
      throw err;
    }
  }

  /**
   * Applies a change. A new url or credential forgets the stored ETag, Last-Modified and content
   * hash, and what OCI syncs remembered of each repository; a new interval moves next_sync_at
   * (one interval after the last sync, not before now; 0 stops automatic syncs).
   */
  async update(organizationId: string, id: string, change: RegistryChange): Promise<void> {
    const credentialGiven = change.credentialId !== undefined;
    try {
      const rows = await this.#sql.query<{ id: string }>(
        `WITH updated AS (
         UPDATE registries r SET
           name = coalesce($3, r.name),
           url = coalesce($4, r.url),
           credential_id = CASE WHEN $5::boolean THEN $6::uuid ELSE r.credential_id END,
           sync_interval_seconds = coalesce($7::int, r.sync_interval_seconds),
           next_sync_at = CASE
             WHEN $7::int IS NULL OR $7::int = r.sync_interval_seconds THEN r.next_sync_at
             WHEN $7::int = 0 THEN NULL
             ELSE greatest(now(), coalesce(r.last_sync_at, now()) + make_interval(secs => $7::int)) END,
           etag = CASE WHEN f.forget THEN NULL ELSE r.etag END,
           last_modified = CASE WHEN f.forget THEN NULL ELSE r.last_modified END,
           content_hash = CASE WHEN f.forget THEN NULL ELSE r.content_hash END,
           updated_at = now()
         FROM (SELECT id,
                      (coalesce($4, url) IS DISTINCT FROM url)
                      OR ($5::boolean AND $6::uuid IS DISTINCT FROM credential_id) AS forget
                 FROM registries WHERE id = $2) f
         WHERE r.id = f.id AND r.organization_id = $1 AND r.id = $2
         RETURNING r.id, f.forget
         ), forgotten AS (
           DELETE FROM oci_repositories o USING updated u WHERE o.registry_id = u.id AND u.forget
         )
         SELECT id FROM updated`,
        [
          organizationId,
          id,
          change.name ?? null,
          change.url ?? null,
          credentialGiven,
          change.credentialId ?? null,
          change.syncIntervalSeconds ?? null,
        ],
      );
      if (rows.length === 0) throw new NotFoundError(`No registry with id ${id}`);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(change.name ?? "", err);
      throw err;
    }
  }

  /** Deletes a registry of the organisation with its sync runs, charts and versions. */
  async delete(organizationId: string, id: string): Promise<void> {
    const rows = await this.#sql.query<{ id: string }>("DELETE FROM registries WHERE organization_id = $1 AND id = $2 RETURNING id", [
      organizationId,
      id,
    ]);
    if (rows.length === 0) throw new NotFoundError(`No registry with id ${id}`);
  }
}

/** The name in a unique violation's detail: `Key (organization_id, name)=(<uuid>, <name>) already exists.` */
function takenName(err: unknown): string | undefined {
  const detail = (err as { detail?: unknown }).detail;
  return typeof detail === "string" ? /^Key \(organization_id, name\)=\([0-9a-f-]{36}, (.*)\) already exists\.?$/.exec(detail)?.[1] : undefined;
}

function nameTaken(name: string, cause: unknown): ConflictError {
  return new ConflictError(`A registry named "${name}" already exists`, {
    cause,
    solution: "Use another name, or change the registry that has it",
  });
}
