import type { RegistryJson } from "@charthouse/api-types";
import type { RegistryKind, RegistryStatusRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";
import { isoOrNull } from "../timestamps.ts";

/** One page of an organisation's registries with their status, ordered by name then id. */
export async function listRegistries(db: ApiRepositories, organizationId: string, page: PageRequest): Promise<Page<RegistryJson>> {
  const rows = await db.registries.list(organizationId, keysetSliceOf(page));
  return keysetPage(rows, page.limit, registryJson);
}

/** One registry of the organisation; another organisation's registry is not found. */
export async function getRegistry(db: ApiRepositories, organizationId: string, id: string): Promise<RegistryJson> {
  const row = await db.registries.get(organizationId, id);
  if (!row) throw new NotFoundError(`No registry with id ${id}`);
  return registryJson(row);
}

/** Registries of the organisation, in the order of `ids`. */
export async function getRegistries(db: ApiRepositories, organizationId: string, ids: readonly string[]): Promise<RegistryJson[]> {
  return (await db.registries.getMany(organizationId, ids)).map(registryJson);
}

/** The registry's kind when it belongs to the organisation; otherwise not found. */
export async function registryKind(db: ApiRepositories, organizationId: string, id: string): Promise<RegistryKind> {
  const kind = await db.registries.kindOf(organizationId, id);
  if (kind === null) throw new NotFoundError(`No registry with id ${id}`);
  return kind;
}

function registryJson(row: RegistryStatusRow): RegistryJson {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    kind: row.kind,
    credential_id: row.credential_id,
    sync_interval_seconds: row.sync_interval_seconds,
    status: {
      state: row.state,
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
