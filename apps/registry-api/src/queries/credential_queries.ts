import type { CredentialJson } from "@charthouse/api-types";
import type { CredentialRow, SealedCredentialSecretRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";

/** One page of an organisation's credentials, ordered by name then id. */
export async function listCredentials(db: ApiRepositories, organizationId: string, page: PageRequest): Promise<Page<CredentialJson>> {
  const rows = await db.credentials.list(organizationId, keysetSliceOf(page));
  return keysetPage(rows, page.limit, credentialJson);
}

/** One credential of the organisation (public fields only); another organisation's is not found. */
export async function getCredential(db: ApiRepositories, organizationId: string, id: string): Promise<CredentialJson> {
  const row = await db.credentials.get(organizationId, id);
  if (!row) throw new NotFoundError(`No credential with id ${id}`);
  return credentialJson(row);
}

/** One credential with its sealed secret, for a change that re-seals it. */
export async function getSealedCredential(db: ApiRepositories, organizationId: string, id: string): Promise<SealedCredentialSecretRow> {
  const row = await db.credentials.getSealed(organizationId, id);
  if (!row) throw new NotFoundError(`No credential with id ${id}`);
  return row;
}

function credentialJson(row: CredentialRow): CredentialJson {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    ...(row.username === null ? {} : { username: row.username }),
    ...(row.provider_hint === null ? {} : { provider_hint: row.provider_hint }),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
