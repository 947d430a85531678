import type { DataSource } from "@charthouse/db";
import { ConflictError, NotFoundError } from "@charthouse/errors";
import type { CredentialPublicFields, SealedSecret } from "@charthouse/credentials";
import { isForeignKeyViolation, isUniqueViolation } from "./pg_errors.ts";
import { queryRows } from "@charthouse/db";

/** A credential ready to store: its id (the secret is bound to it), public fields and sealed secret. */
export interface SealedCredential {
  id: string;
  name: string;
  kind: string;
  public: CredentialPublicFields;
  sealed: SealedSecret;
}

/** Inserts a credential whose secret is already sealed for its id. */
export async function insertCredential(db: DataSource, organizationId: string, credential: SealedCredential): Promise<void> {
  try {
    await queryRows(
      db,
      `INSERT INTO credentials (id, organization_id, name, kind, username, provider_hint, secret_key_id, secret_ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        credential.id,
        organizationId,
        credential.name,
        credential.kind,
        credential.public.username ?? null,
        credential.public.provider_hint ?? null,
        credential.sealed.keyId,
        credential.sealed.ciphertext,
      ],
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(credential.name, err);
    throw err;
  }
}

/** Renames a credential and/or replaces its secret (with its public fields). */
export async function updateCredential(
  db: DataSource,
  organizationId: string,
  id: string,
  change: { name?: string; secret?: { public: CredentialPublicFields; sealed: SealedSecret } },
): Promise<void> {
  const secret = change.secret;
  try {
    const rows = await queryRows<{ id: string }>(
      db,
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
        secret?.public.username ?? null,
        secret?.public.provider_hint ?? null,
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
export async function deleteCredential(db: DataSource, organizationId: string, id: string): Promise<void> {
  const users = await queryRows<{ name: string }>(
    db,
    "SELECT name FROM registries WHERE organization_id = $1 AND credential_id = $2 ORDER BY name LIMIT 3",
    [organizationId, id],
  );
  if (users.length > 0) throw inUse(id, users.map((u) => u.name));
  try {
    const rows = await queryRows<{ id: string }>(
      db,
      "DELETE FROM credentials WHERE organization_id = $1 AND id = $2 RETURNING id",
      [organizationId, id],
    );
    if (rows.length === 0) throw new NotFoundError(`No credential with id ${id}`);
  } catch (err) {
    // A registry started to use it between the check and the delete.
    if (isForeignKeyViolation(err)) throw inUse(id, [], err);
    throw err;
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
