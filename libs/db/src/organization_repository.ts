import { ConflictError } from "@charthouse/errors";
import { insertOrSelectId } from "./insert_or_select_id.ts";
import { isUniqueViolation } from "./pg_errors.ts";
import type { SqlClient } from "./sql_client.ts";

/** An organisation as the API shows it. */
export interface OrganizationRow {
  id: string;
  name: string;
  created_at: Date;
}

/** A token to store: its name, the sha256 of its value (never the value) and its scopes. */
export interface HashedToken {
  name: string;
  hash: string;
  scopes: readonly string[];
}

/** The ids of a new organisation and of its first token. */
export interface CreatedOrganizationIds {
  organizationId: string;
  tokenId: string;
}

/** Organisations (tenants): every other row belongs to one. */
export class OrganizationRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** One organisation by id, or null. */
  async get(id: string): Promise<OrganizationRow | null> {
    const rows = await this.#sql.query<OrganizationRow>("SELECT id, name, created_at FROM organizations WHERE id = $1", [id]);
    return rows[0] ?? null;
  }

  /** Returns the id of the organisation with this name, creating it when missing. Idempotent. */
  async ensure(name: string): Promise<string> {
    return await insertOrSelectId(
      this.#sql,
      `WITH created AS (
         INSERT INTO organizations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id
       )
       SELECT id FROM created UNION ALL SELECT id FROM organizations WHERE name = $1`,
      [name],
      `organisation "${name}"`,
    );
  }

  /**
   * Creates an organisation and its first token in one transaction, so an organisation never
   * exists without a way in. A taken name is a conflict.
   */
  async insertWithToken(name: string, token: HashedToken): Promise<CreatedOrganizationIds> {
    try {
      return await this.#sql.transaction(async (tx) => {
        const [org] = await tx.query<{ id: string }>("INSERT INTO organizations (name) VALUES ($1) RETURNING id", [name]);
        const [created] = await tx.query<{ id: string }>(
          "INSERT INTO api_tokens (organization_id, name, token_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING id",
          [org!.id, token.name, token.hash, [...token.scopes]],
        );
        return { organizationId: org!.id, tokenId: created!.id };
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`An organisation named "${name}" already exists`, { cause: err, solution: "Use another name" });
      }
      throw err;
    }
  }
}
