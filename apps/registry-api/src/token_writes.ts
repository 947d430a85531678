import { randomBytes } from "node:crypto";
import type { DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { queryRows } from "@charthouse/db";
import { hashToken } from "./auth.ts";
import type { TokenScope } from "./token_scopes.ts";

/** The prefix of the tokens Charthouse makes, so secret scanners and people can recognise one. */
export const apiTokenPrefix = "chp_";

/** A new token value: the prefix and 32 random bytes, base64url. */
export function newTokenValue(): string {
  return `${apiTokenPrefix}${randomBytes(32).toString("base64url")}`;
}

/** A validated new token. */
export interface NewToken {
  name: string;
  scopes: readonly TokenScope[];
  expiresAt: Date | null;
}

/**
 * Stores a new token of the organisation (only the sha256 of its value) and returns its id and
 * value; the value is never stored nor shown again.
 */
export async function insertToken(db: DataSource, organizationId: string, token: NewToken): Promise<{ id: string; value: string }> {
  const value = newTokenValue();
  const rows = await queryRows<{ id: string }>(
    db,
    `INSERT INTO api_tokens (organization_id, name, token_hash, scopes, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [organizationId, token.name, hashToken(value), [...token.scopes], token.expiresAt],
  );
  return { id: rows[0]!.id, value };
}

/** Revokes a token of the organisation at once; a revoked token or another organisation's is not found. */
export async function revokeToken(db: DataSource, organizationId: string, id: string): Promise<void> {
  const rows = await queryRows<{ id: string }>(
    db,
    "UPDATE api_tokens SET revoked_at = now() WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id",
    [organizationId, id],
  );
  if (rows.length === 0) throw new NotFoundError(`No token with id ${id}`);
}
