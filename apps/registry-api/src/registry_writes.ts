import type { DataSource, RegistryKind } from "@charthouse/db";
import { ConflictError, InputError, NotFoundError } from "@charthouse/errors";
import { isUniqueViolation } from "./pg_errors.ts";
import { queryRows } from "@charthouse/db";

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

/** Fails with 422 on `credential_id` when the credential is not the organisation's. */
export async function assertCredentialUsable(db: DataSource, organizationId: string, credentialId: string | null): Promise<void> {
  if (credentialId === null) return;
  const rows = await queryRows<{ id: string }>(db, "SELECT id FROM credentials WHERE organization_id = $1 AND id = $2", [
    organizationId,
    credentialId,
  ]);
  if (rows.length === 0) {
    throw new InputError(`No credential with id ${credentialId}`, {
      fields: [{ field: "credential_id", message: "must be the id of one of your credentials" }],
    });
  }
}

/**
 * Inserts a registry. Its first sync is requested by the caller right after (trigger "create"),
 * so next_sync_at starts one interval from now: the scheduler takes over after that first sync
 * and never doubles it (it also skips registries with an active sync). A NULL next_sync_at would
 * mean "never scheduled", which is how interval 0 (automatic sync disabled) is stored.
 */
export async function insertRegistry(db: DataSource, organizationId: string, registry: NewRegistry): Promise<string> {
  try {
    const rows = await queryRows<{ id: string }>(
      db,
      `INSERT INTO registries (organization_id, name, url, kind, credential_id, sync_interval_seconds, next_sync_at)
       VALUES ($1, $2, $3, $4, $5, $6::int,
               CASE WHEN $6::int = 0 THEN NULL ELSE now() + make_interval(secs => $6::int) END)
       RETURNING id`,
      [organizationId, registry.name, registry.url, registry.kind, registry.credentialId, registry.syncIntervalSeconds],
    );
    return rows[0]!.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(registry.name, err);
    throw err;
  }
}

/**
 * Applies a change. A new url or credential forgets the stored ETag, Last-Modified and content
 * hash, and what OCI syncs remembered of each repository; a new interval moves next_sync_at (one interval after the last sync, not before now; 0 stops
 * automatic syncs).
 */
export async function updateRegistry(
  db: DataSource,
  organizationId: string,
  id: string,
  change: RegistryChange,
): Promise<void> {
  const credentialGiven = change.credentialId !== undefined;
  try {
    const rows = await queryRows<{ id: string }>(
      db,
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

/** Deletes a registry with its sync runs, charts and versions. */
export async function deleteRegistry(db: DataSource, organizationId: string, id: string): Promise<void> {
  const rows = await queryRows<{ id: string }>(db, "DELETE FROM registries WHERE organization_id = $1 AND id = $2 RETURNING id", [
    organizationId,
    id,
  ]);
  if (rows.length === 0) throw new NotFoundError(`No registry with id ${id}`);
}

function nameTaken(name: string, cause: unknown): ConflictError {
  return new ConflictError(`A registry named "${name}" already exists`, {
    cause,
    solution: "Use another name, or change the registry that has it",
  });
}
