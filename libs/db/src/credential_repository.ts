import { ConflictError, NotFoundError } from "@charthouse/errors";
import type { KeysetSlice } from "./keyset_slice.ts";
import { isForeignKeyViolation, isUniqueViolation } from "./pg_errors.ts";
import { SealedSecretColumns, type SealedSecretRow, type SecretReplacement } from "./sealed_secret_columns.ts";
import type { SqlClient } from "./sql_client.ts";

/** A credential's public columns (never its secret). */
export interface CredentialRow {
  id: string;
  name: string;
  kind: string;
  username: string | null;
  provider_hint: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A credential with its sealed secret, for a change that re-seals it. */
export interface SealedCredentialSecretRow {
  id: string;
  name: string;
  kind: string;
  secret_key_id: string;
  secret_ciphertext: string;
}

/** A sealed secret as stored: the id of the key that sealed it and its ciphertext. */
export interface StoredSecret {
  keyId: string;
  ciphertext: string;
}

/** A credential ready to store: its id (the secret is bound to it), public fields and sealed secret. */
export interface NewCredential {
  id: string;
  name: string;
  kind: string;
  username: string | null;
  providerHint: string | null;
  secret: StoredSecret;
}

/** A change to a credential; a new secret comes with its public fields. */
export interface CredentialChange {
  name?: string;
  secret?: { username: string | null; providerHint: string | null; sealed: StoredSecret };
}

// The public columns only: secrets are never read where they are not needed.
const publicColumns = "id, name, kind, username, provider_hint, created_at, updated_at";

/** Credentials of registries: what the API manages, and what key rotation re-seals. */
export class CredentialRepository {
  readonly #sql: SqlClient;
  readonly #sealed: SealedSecretColumns;
  constructor(sql: SqlClient) {
    this.#sql = sql;
    this.#sealed = new SealedSecretColumns(sql, "credentials");
  }

  /** A slice of an organisation's credentials, ordered by name then id. */
  async list(organizationId: string, slice: KeysetSlice): Promise<CredentialRow[]> {
    const { after } = slice;
    return after
      ? await this.#sql.query<CredentialRow>(
          `SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 AND (name, id) > ($3, $4::uuid)
            ORDER BY name, id LIMIT $2`,
          [organizationId, slice.limit, after.name, after.id],
        )
      : await this.#sql.query<CredentialRow>(
          `SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 ORDER BY name, id LIMIT $2`,
          [organizationId, slice.limit],
        );
  }

  /** One credential of the organisation (public fields only), or null; another organisation's is null. */
  async get(organizationId: string, id: string): Promise<CredentialRow | null> {
    const rows = await this.#sql.query<CredentialRow>(`SELECT ${publicColumns} FROM credentials WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      id,
    ]);
    return rows[0] ?? null;
  }

  /** One credential of the organisation with its sealed secret, or null. */
  async getSealed(organizationId: string, id: string): Promise<SealedCredentialSecretRow | null> {
    const rows = await this.#sql.query<SealedCredentialSecretRow>(
      "SELECT id, name, kind, secret_key_id, secret_ciphertext FROM credentials WHERE organization_id = $1 AND id = $2",
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  /** Whether the organisation has a credential with this id. */
  async exists(organizationId: string, id: string): Promise<boolean> {
    const rows = await this.#sql.query<{ id: string }>("SELECT id FROM credentials WHERE organization_id = $1 AND id = $2", [organizationId, id]);
    return rows.length > 0;
  }

  /** Inserts a credential whose secret is already sealed for its id; a taken name is a conflict. */
  async insert(organizationId: string, credential: NewCredential): Promise<void> {
    try {
      await this.#sql.query(
        `INSERT INTO credentials (id, organization_id, name, kind, username, provider_hint, secret_key_id, secret_ciphertext)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          credential.id,
          organizationId,
          credential.name,
          credential.kind,
          credential.username,
          credential.providerHint,
          credential.secret.keyId,
          credential.secret.ciphertext,
        ],
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(credential.name, err);
      throw err;
    }
  }

  /** Renames a credential and/or replaces its secret (with its public fields). */
  async update(organizationId: string, id: string, change: CredentialChange): Promise<void> {
    const secret = change.secret;
    try {
      const rows = await this.#sql.query<{ id: string }>(
        `UPDATE credentials SET
           name = coalesce($3, name),
           username = CASE WHEN $4::boolean THEN $5 ELSE username END,
           provider_hint = CASE WHEN $4::boolean THEN $6 ELSE provider_hint END,
           secret_key_id = coalesce($7, secret_key_id),
           secret_ciphertext = coalesce($8, secret_ciphertext),
           updated_at = now()
         WHERE organization_id = $1 AND id = $2 RETURNING id`,
        [
          organizationId,
          id,
          change.name ?? null,
          secret !== undefined,
          secret?.username ?? null,
          secret?.providerHint ?? null,
          secret?.sealed.keyId ?? null,
          secret?.sealed.ciphertext ?? null,
        ],
      );
      if (rows.length === 0) throw new NotFoundError(`No credential with id ${id}`);
    } catch (err) {
      if (isUniqueViolation(err)) throw nameTaken(change.name ?? "", err);
      throw err;
    }
  }

  /** Deletes a credential; one still used by a registry is a conflict. */
  async delete(organizationId: string, id: string): Promise<void> {
    const users = await this.#sql.query<{ name: string }>(
      "SELECT name FROM registries WHERE organization_id = $1 AND credential_id = $2 ORDER BY name LIMIT 3",
      [organizationId, id],
    );
    if (users.length > 0) throw inUse(id, users.map((u) => u.name));
    try {
      const rows = await this.#sql.query<{ id: string }>("DELETE FROM credentials WHERE organization_id = $1 AND id = $2 RETURNING id", [
        organizationId,
        id,
      ]);
      if (rows.length === 0) throw new NotFoundError(`No credential with id ${id}`);
    } catch (err) {
      // A registry started to use it between the check and the delete.
      if (isForeignKeyViolation(err)) throw inUse(id, [], err);
      throw err;
    }
  }

  /** How many credentials, of every organisation, are sealed under this key. */
  async countSealedUnder(keyId: string): Promise<number> {
    return await this.#sealed.countSealedUnder(keyId);
  }

  /** Up to `limit` credentials not sealed under this key, with ids after `afterId`, ordered by id. */
  async listSealedNotUnder(keyId: string, page: { afterId: string; limit: number }): Promise<SealedSecretRow[]> {
    return await this.#sealed.listSealedNotUnder(keyId, page);
  }

  /** Writes re-sealed credential secrets, each only where the stored one is still the one read (compare-and-set). */
  async replaceSealed(replacements: readonly SecretReplacement[]): Promise<string[]> {
    return await this.#sealed.replaceSealed(replacements);
  }
}

function inUse(id: string, registries: string[], cause?: unknown): ConflictError {
  const names = registries.length > 0 ? `: ${registries.map((n) => `"${n}"`).join(", ")}` : "";
  return new ConflictError(`Credential ${id} is used by registries${names}`, {
    ...(cause === undefined ? {} : { cause }),
    solution: "Remove the credential from those registries (PATCH credential_id: null) or delete them first",
  });
}

function nameTaken(name: string, cause: unknown): ConflictError {
  return new ConflictError(`A credential named "${name}" already exists`, {
    cause,
    solution: "Use another name, or change the credential that has it",
  });
}
