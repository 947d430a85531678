import type { ApiRepositories } from "./api_repositories.ts";
import { hashToken } from "./auth.ts";
import { tokenScopes } from "./token_scopes.ts";
import { newTokenValue } from "./token_writes.ts";

/** A new organisation's id and its first token's id and value. */
export interface CreatedOrganization {
  organizationId: string;
  tokenId: string;
  tokenValue: string;
}

/**
 * Creates an organisation and its first token (read, write, admin) in one transaction, so an
 * organisation never exists without a way in. A taken name is a conflict.
 */
export async function insertOrganizationWithToken(
  db: ApiRepositories,
  organization: { name: string; tokenName: string },
): Promise<CreatedOrganization> {
  const tokenValue = newTokenValue();
  const created = await db.organizations.insertWithToken(organization.name, {
    name: organization.tokenName,
    hash: hashToken(tokenValue),
    scopes: tokenScopes,
  });
  return { ...created, tokenValue };
}
