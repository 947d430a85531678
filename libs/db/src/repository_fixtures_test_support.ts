import { randomUUID } from "node:crypto";
import { createTestDatabase } from "@charthouse/testing";
import { OrganizationRepository } from "./organization_repository.ts";
import { ensureSchema } from "./schema.ts";
import type { SealedCredential } from "./sealed_credential.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

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

/** A migrated test database with two organisations, for tests that one never sees the other's rows. */
export interface TwoOrganizationDatabase {
  sql: SqlClient;
  orgA: string;
  orgB: string;
  /** Closes the client and drops the database. */
  close(): Promise<void>;
}

/** Creates and migrates a test database named after `prefix`, with two organisations in it. */
export async function twoOrganizationDatabase(prefix: string): Promise<TwoOrganizationDatabase> {
  const database = await createTestDatabase(prefix);
  await ensureSchema(database.url);
  const sql = createSqlClient(database.url, { poolSize: 4 });
  const organizations = new OrganizationRepository(sql);
  return {
    sql,
    orgA: await organizations.ensure(`a-${randomUUID()}`),
    orgB: await organizations.ensure(`b-${randomUUID()}`),
    async close() {
      await sql.close();
      await database.drop();
    },
  };
}
