import type { TokenJson } from "@charthouse/api-types";
import type { ApiTokenRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";
import { isoOrNull } from "../timestamps.ts";

/** One page of an organisation's tokens that are not revoked (expired ones included), by name then id. */
export async function listTokens(db: ApiRepositories, organizationId: string, page: PageRequest): Promise<Page<TokenJson>> {
  const rows = await db.tokens.list(organizationId, keysetSliceOf(page));
  return keysetPage(rows, page.limit, tokenJson);
}

/** One token of the organisation; a revoked token or another organisation's is not found. */
export async function getToken(db: ApiRepositories, organizationId: string, id: string): Promise<TokenJson> {
  const row = await db.tokens.get(organizationId, id);
  if (!row) throw new NotFoundError(`No token with id ${id}`);
  return tokenJson(row);
}

function tokenJson(row: ApiTokenRow): TokenJson {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    created_at: row.created_at.toISOString(),
    last_used_at: isoOrNull(row.last_used_at),
    expires_at: isoOrNull(row.expires_at),
  };
}
