import type { ApiRepositories } from "./api_repositories.ts";
import { hashToken } from "./auth.ts";
import type { TokenScope } from "./token_scopes.ts";

/** The organisation every installation starts with. */
export const defaultOrganizationName = "default";

/** Returns the id of the organisation with this name, creating it when missing. Idempotent. */
export async function ensureOrganization(db: ApiRepositories, name: string): Promise<string> {
  return await db.organizations.ensure(name);
}

/**
 * Makes sure a token with this value exists for the organisation (created, or kept as it is).
 * Only its sha256 is stored. Returns the token's id.
 */
export async function ensureApiToken(
  db: ApiRepositories,
  organizationId: string,
  token: { name: string; value: string; scopes: readonly TokenScope[] },
): Promise<string> {
  return await db.tokens.ensure(organizationId, { name: token.name, hash: hashToken(token.value), scopes: token.scopes });
}

/** At start: the default organisation exists, and so does the bootstrap token when one is configured. */
export async function bootstrapDefaultOrganization(db: ApiRepositories, bootstrapToken: string | undefined): Promise<string> {
  const organizationId = await ensureOrganization(db, defaultOrganizationName);
  if (bootstrapToken !== undefined) {
    await ensureApiToken(db, organizationId, { name: "bootstrap", value: bootstrapToken, scopes: ["read", "write", "admin"] });
  }
  return organizationId;
}
