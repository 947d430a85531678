import type { DataSource } from "@charthouse/db";
import { hashToken } from "./auth.ts";
import type { TokenScope } from "./token_scopes.ts";
import { queryRows } from "@charthouse/db";

/** The organisation every installation starts with. */
export const defaultOrganizationName = "default";

/**
 * Runs an insert-or-select statement until it yields the row's id. When another copy inserts
 * the same row at the same moment, ON CONFLICT DO NOTHING waits for it, but the statement's
 * snapshot predates that row: the next run of the statement sees it.
 */
async function insertOrSelectId(db: DataSource, sql: string, params: unknown[], what: string): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = (await queryRows<{ id: string }>(db, sql, params))[0]?.id;
    if (id) return id;
  }
  throw new Error(`Cannot create or find ${what}`);
}

/** Returns the id of the organisation with this name, creating it when missing. Idempotent. */
export async function ensureOrganization(db: DataSource, name: string): Promise<string> {
  return await insertOrSelectId(
    db,
    `WITH created AS (
       INSERT INTO organizations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id
     )
     SELECT id FROM created UNION ALL SELECT id FROM organizations WHERE name = $1`,
    [name],
    `organisation "${name}"`,
  );
}

/**
 * Makes sure a token with this value exists for the organisation (created, or kept as it is).
 * Only its sha256 is stored. Returns the token's id.
 */
export async function ensureApiToken(
  db: DataSource,
  organizationId: string,
  token: { name: string; value: string; scopes: readonly TokenScope[] },
): Promise<string> {
  return await insertOrSelectId(
    db,
    `WITH created AS (
       INSERT INTO api_tokens (organization_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token_hash) DO NOTHING RETURNING id
     )
     SELECT id FROM created UNION ALL SELECT id FROM api_tokens WHERE token_hash = $3`,
    [organizationId, token.name, hashToken(token.value), [...token.scopes]],
    `token "${token.name}"`,
  );
}

/** At start: the default organisation exists, and so does the bootstrap token when one is configured. */
export async function bootstrapDefaultOrganization(db: DataSource, bootstrapToken: string | undefined): Promise<string> {
  const organizationId = await ensureOrganization(db, defaultOrganizationName);
  if (bootstrapToken !== undefined) {
    await ensureApiToken(db, organizationId, { name: "bootstrap", value: bootstrapToken, scopes: ["read", "write", "admin"] });
  }
  return organizationId;
}
