import type { TokenJson } from "@charthouse/api-types";
import type { DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { queryRows } from "@charthouse/db";
import { decodeKeysetCursor, keysetPage, type Page, type PageRequest } from "../pagination.ts";
import { isoOrNull } from "../timestamps.ts";

/** A token row, public columns only. */
export interface TokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

// The public columns only: the hash is read by authentication alone.
const publicColumns = "id, name, scopes, created_at, last_used_at, expires_at";

/** One page of an organisation's tokens that are not revoked (expired ones included), by name then id. */
export async function listTokens(db: DataSource, organizationId: string, page: PageRequest): Promise<Page<TokenJson>> {
  const after = decodeKeysetCursor(page.cursor);
  const rows = after
    ? await queryRows<TokenRow>(
        db,
        `SELECT ${publicColumns} FROM api_tokens
          WHERE organization_id = $1 AND revoked_at IS NULL AND (name, id) > ($3, $4::uuid)
          ORDER BY name, id LIMIT $2`,
        [organizationId, page.limit + 1, after.name, after.id],
      )
    : await queryRows<TokenRow>(
        db,
        `SELECT ${publicColumns} FROM api_tokens WHERE organization_id = $1 AND revoked_at IS NULL ORDER BY name, id LIMIT $2`,
        [organizationId, page.limit + 1],
      );
  return keysetPage(rows, page.limit, tokenJson);
}

/** One token of the organisation; a revoked token or another organisation's is not found. */
export async function getToken(db: DataSource, organizationId: string, id: string): Promise<TokenJson> {
  const rows = await queryRows<TokenRow>(
    db,
    `SELECT ${publicColumns} FROM api_tokens WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL`,
    [organizationId, id],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError(`No token with id ${id}`);
  return tokenJson(row);
}

/** The JSON of a token row. */
export function tokenJson(row: TokenRow): TokenJson {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    created_at: row.created_at.toISOString(),
    last_used_at: isoOrNull(row.last_used_at),
    expires_at: isoOrNull(row.expires_at),
  };
}
