import { randomBytes } from "node:crypto";
import type { ApiRepositories } from "./api_repositories.ts";
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
export async function insertToken(db: ApiRepositories, organizationId: string, token: NewToken): Promise<{ id: string; value: string }> {
  const value = newTokenValue();
  const id = await db.tokens.insert(organizationId, { name: token.name, hash: hashToken(value), scopes: token.scopes, expiresAt: token.expiresAt });
  return { id, value };
}
