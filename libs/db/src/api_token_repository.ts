import { NotFoundError } from "@charthouse/errors";
import { insertOrSelectId } from "./insert_or_select_id.ts";
import type { KeysetSlice } from "./keyset_slice.ts";
import type { HashedToken } from "./organization_repository.ts";
import type { SqlClient } from "./sql_client.ts";

/** A token, public columns only (never its hash). */
export interface ApiTokenRow {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

/** A usable token found by its hash: who it is, and whether its last use is worth recording again. */
export interface UsableTokenRow {
  id: string;
  organization_id: string;
  scopes: string[];
  expires_at: Date | null;
  /** last_used_at is unset or more than a minute old. */
  stale: boolean;
}

// The public columns only: the hash is read by authentication alone.
const publicColumns = "id, name, scopes, created_at, last_used_at, expires_at";

/** API tokens: authentication, and what an organisation's admins manage. */
export class ApiTokenRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** The token with this hash when it is neither revoked nor expired, or null. */
  async findUsable(hash: string): Promise<UsableTokenRow | null> {
    const rows = await this.#sql.query<UsableTokenRow>(
      `SELECT id, organization_id, scopes, expires_at,
              (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
         FROM api_tokens
        WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [hash],
      // Asked for by requests the admission cache has not seen (or no longer remembers): prepared once per connection.
      { prepareAs: "api_tokens.findUsable" },
    );
    return rows[0] ?? null;
  }

  /** Records a use now, unless one was recorded less than a minute ago (a busy client does not write on every read). */
  async touchLastUsed(id: string): Promise<void> {
    await this.#sql.query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  /** Which of these tokens are still usable (not revoked, not expired). */
  async stillUsable(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.#sql.query<{ id: string }>(
      "SELECT id FROM api_tokens WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
      [ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** A slice of an organisation's tokens that are not revoked (expired ones included), by name then id. */
  async list(organizationId: string, slice: KeysetSlice): Promise<ApiTokenRow[]> {
    const { after } = slice;
    return after
      ? await this.#sql.query<ApiTokenRow>(
          `SELECT ${publicColumns} FROM api_tokens
            WHERE organization_id = $1 AND revoked_at IS NULL AND (name, id) > ($3, $4::uuid)
            ORDER BY name, id LIMIT $2`,
          [organizationId, slice.limit, after.name, after.id],
        )
      : await this.#sql.query<ApiTokenRow>(
          `SELECT ${publicColumns} FROM api_tokens WHERE organization_id = $1 AND revoked_at IS NULL ORDER BY name, id LIMIT $2`,
          [organizationId, slice.limit],
        );
  }

  /** One token of the organisation, or null when it is revoked or another organisation's. */
  async get(organizationId: string, id: string): Promise<ApiTokenRow | null> {
    const rows = await this.#sql.query<ApiTokenRow>(
      `SELECT ${publicColumns} FROM api_tokens WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  /** Stores a new token of the organisation (its hash only) and returns its id. */
  async insert(organizationId: string, token: HashedToken & { expiresAt: Date | null }): Promise<string> {
    const rows = await this.#sql.query<{ id: string }>(
      `INSERT INTO api_tokens (organization_id, name, token_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [organizationId, token.name, token.hash, [...token.scopes], token.expiresAt],
    );
    return rows[0]!.id;
  }

  /** Makes sure a token with this hash exists for the organisation (created, or kept as it is); returns its id. */
  async ensure(organizationId: string, token: HashedToken): Promise<string> {
    return await insertOrSelectId(
      this.#sql,
      `WITH created AS (
         INSERT INTO api_tokens (organization_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (token_hash) DO NOTHING RETURNING id
       )
       SELECT id FROM created UNION ALL SELECT id FROM api_tokens WHERE token_hash = $3`,
      [organizationId, token.name, token.hash, [...token.scopes]],
      `token "${token.name}"`,
    );
  }

  /** Revokes a token of the organisation at once; a revoked token or another organisation's is not found. */
  async revoke(organizationId: string, id: string): Promise<void> {
    const rows = await this.#sql.query<{ id: string }>(
      "UPDATE api_tokens SET revoked_at = now() WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id",
      [organizationId, id],
    );
    if (rows.length === 0) throw new NotFoundError(`No token with id ${id}`);
  }
}
