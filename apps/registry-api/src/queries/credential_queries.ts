import type { CredentialJson } from "@charthouse/api-types";
import type { DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { decodeKeysetCursor, keysetPage, type Page, type PageRequest } from "../pagination.ts";
import { queryRows } from "@charthouse/db";

/** A credential row with its sealed secret, for the routes that re-seal it. */
export interface SealedCredentialRow {
  id: string;
  name: string;
  kind: string;
  secret_key_id: string;
  secret_ciphertext: string;
}

interface CredentialRow {
  id: string;
  name: string;
  kind: string;
  username: string | null;
  provider_hint: string | null;
  created_at: Date;
  updated_at: Date;
}

// The public columns only: secrets are never read where they are not needed.
const publicColumns = "id, name, kind, username, provider_hint, created_at, updated_at";

/** One page of an organisation's credentials, ordered by name then id. */
export async function listCredentials(db: DataSource, organizationId: string, page: PageRequest): Promise<Page<CredentialJson>> {
  const after = decodeKeysetCursor(page.cursor);
  const rows = after
    ? await queryRows<CredentialRow>(
        db,
        `SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 AND (name, id) > ($3, $4::uuid)
          ORDER BY name, id LIMIT $2`,
        [organizationId, page.limit + 1, after.name, after.id],
      )
    : await queryRows<CredentialRow>(
        db,
        `SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 ORDER BY name, id LIMIT $2`,
        [organizationId, page.limit + 1],
      );
  return keysetPage(rows, page.limit, credentialJson);
}

/** One credential of the organisation (public fields only); another organisation's is not found. */
export async function getCredential(db: DataSource, organizationId: string, id: string): Promise<CredentialJson> {
  const rows = await queryRows<CredentialRow>(db, `SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 AND id = $2`, [
    organizationId,
    id,
  ]);
  const row = rows[0];
  if (!row) throw new NotFoundError(`No credential with id ${id}`);
  return credentialJson(row);
}

/** One credential with its sealed secret, for a change that re-seals it. */
export async function getSealedCredential(db: DataSource, organizationId: string, id: string): Promise<SealedCredentialRow> {
  const rows = await queryRows<SealedCredentialRow>(
    db,
    "SELECT id, name, kind, secret_key_id, secret_ciphertext FROM credentials WHERE organization_id = $1 AND id = $2",
    [organizationId, id],
  );
  const row = rows[0];
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
