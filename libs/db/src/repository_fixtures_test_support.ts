import { randomUUID } from "node:crypto";
import type { SealedCredential } from "./sealed_credential.ts";
import type { SqlClient } from "./sql_client.ts";

/** Stores a sealed credential for an organisation and makes the registry use it; returns it as services read it. */
export async function attachSealedCredential(
  sql: SqlClient,
  fixture: { organizationId: string; registryId: string },
): Promise<SealedCredential> {
  const [credential] = await sql.query<{ id: string }>(
    `INSERT INTO credentials (organization_id, name, kind, username, secret_key_id, secret_ciphertext)
     VALUES ($1, $2, 'basic', 'robot', 'key-1', 'sealed-bytes') RETURNING id`,
    [fixture.organizationId, `cred-${randomUUID()}`],
  );
  if (!credential) throw new Error("Cannot insert the credential fixture");
  await sql.query("UPDATE registries SET credential_id = $2 WHERE id = $1", [fixture.registryId, credential.id]);
  return { id: credential.id, kind: "basic", username: "robot", keyId: "key-1", ciphertext: "sealed-bytes" };
}
