import type { DataSource } from "@charthouse/db";
import { ConflictError } from "@charthouse/errors";
import { queryRows } from "@charthouse/db";
import { hashToken } from "./auth.ts";
import { isUniqueViolation } from "./pg_errors.ts";
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
  db: DataSource,
  organization: { name: string; tokenName: string },
): Promise<CreatedOrganization> {
  const tokenValue = newTokenValue();
  try {
    return await db.transaction(async (manager) => {
      const [org] = await queryRows<{ id: string }>(manager, "INSERT INTO organizations (name) VALUES ($1) RETURNING id", [
        organization.name,
      ]);
      const [token] = await queryRows<{ id: string }>(
        manager,
        "INSERT INTO api_tokens (organization_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING id",
        [org!.id, organization.tokenName, hashToken(tokenValue), [...tokenScopes]],
      );
      return { organizationId: org!.id, tokenId: token!.id, tokenValue };
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new ConflictError(`An organisation named "${organization.name}" already exists`, {
        cause: err,
        solution: "Use another name",
      });
    }
    throw err;
  }
}
