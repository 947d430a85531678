import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlClient, CredentialRepository, ensureSchema, type SqlClient } from "@charthouse/db";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { rotateSecretKeys, type SealedSecretStore } from "./rotate_secret_keys.ts";
import { secretBoxFromSettings } from "./secret_box_from_settings.ts";

const oldKeys = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];
const newKey = randomBytes(32).toString("base64");

let database: TestDatabase;
let sql: SqlClient;
let credentials: CredentialRepository;
let organizationId: string;

beforeAll(async () => {
  database = await createTestDatabase("ch_rotate_keys");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 4 });
  credentials = new CredentialRepository(sql);
  const [org] = await sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ($1) RETURNING id", [`rotation-${randomUUID()}`]);
  organizationId = org?.id ?? "";
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

/** Inserts `count` credentials sealed under `key`, returning their ids and secrets. */
async function insertCredentials(count: number, key: string): Promise<Map<string, { password: string }>> {
  const box = secretBoxFromSettings({ secretKey: key });
  const made = new Map<string, { password: string }>();
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const secret = { username: "robot", password: `pw-${randomBytes(6).toString("hex")}` };
    const sealed = box.seal(secret, id);
    await sql.query(
      `INSERT INTO credentials (id, organization_id, name, kind, username, secret_key_id, secret_ciphertext)
       VALUES ($1, $2, $3, 'basic', 'robot', $4, $5)`,
      [id, organizationId, `cred-${id}`, sealed.keyId, sealed.ciphertext],
    );
    made.set(id, { password: secret.password });
  }
  return made;
}

async function sealedRows(ids: Iterable<string>): Promise<{ id: string; secret_key_id: string; secret_ciphertext: string }[]> {
  return await sql.query("SELECT id, secret_key_id, secret_ciphertext FROM credentials WHERE id = ANY($1::uuid[])", [[...ids]]);
}

describe("rotateSecretKeys()", () => {
  it("moves every credential to the new key in batches, and a second run has nothing to do", async () => {
    await sql.query("DELETE FROM credentials");
    const secrets = new Map([...(await insertCredentials(3, oldKeys[0] ?? "")), ...(await insertCredentials(2, oldKeys[1] ?? "")), ...(await insertCredentials(1, newKey))]);
    const lost = await insertCredentials(1, randomBytes(32).toString("base64"));
    const rotating = secretBoxFromSettings({ secretKey: newKey, previousSecretKeys: oldKeys.join(",") });
    const batches: number[] = [];
    const counts = await rotateSecretKeys(credentials, rotating, { batchSize: 2, onBatch: (c) => batches.push(c.reencrypted) });
    expect(counts).toMatchObject({ alreadyCurrent: 1, reencrypted: 5, changedMeanwhile: 0 });
    expect(counts.failed.map((f) => f.id)).toEqual([...lost.keys()]);
    expect(counts.failed[0]?.reason).toContain("not configured");
    expect(batches.length).toBeGreaterThanOrEqual(3);

    // Only the new key is needed from now on.
    const after = secretBoxFromSettings({ secretKey: newKey });
    for (const row of await sealedRows(secrets.keys())) {
      expect(row.secret_key_id).toBe(after.currentKeyId);
      expect(after.open({ keyId: row.secret_key_id, ciphertext: row.secret_ciphertext }, row.id)).toEqual({ username: "robot", ...secrets.get(row.id) });
    }
    const again = await rotateSecretKeys(credentials, rotating, { batchSize: 2 });
    expect(again).toMatchObject({ alreadyCurrent: 6, reencrypted: 0, changedMeanwhile: 0 });
  });

  it("never overwrites a secret replaced between its read and its write, and runs concurrently", async () => {
    await sql.query("DELETE FROM credentials");
    const secrets = await insertCredentials(6, oldKeys[0] ?? "");
    const rotating = secretBoxFromSettings({ secretKey: newKey, previousSecretKeys: oldKeys[0] });
    const [replacedId] = [...secrets.keys()].sort();
    const replaced = rotating.seal({ username: "robot", password: "replaced-through-the-api" }, replacedId ?? "");
    // A store that lets the API replace one secret just before the first batch is written.
    let interfered = false;
    const meddling: SealedSecretStore = {
      countSealedUnder: (keyId) => credentials.countSealedUnder(keyId),
      listSealedNotUnder: (keyId, page) => credentials.listSealedNotUnder(keyId, page),
      async replaceSealed(replacements) {
        if (!interfered) {
          interfered = true;
          await sql.query("UPDATE credentials SET secret_key_id = $2, secret_ciphertext = $3 WHERE id = $1", [replacedId, replaced.keyId, replaced.ciphertext]);
        }
        return await credentials.replaceSealed(replacements);
      },
    };
    const [first, second] = await Promise.all([
      rotateSecretKeys(meddling, rotating, { batchSize: 4 }),
      rotateSecretKeys(credentials, rotating, { batchSize: 4 }),
    ]);
    expect((first?.reencrypted ?? 0) + (second?.reencrypted ?? 0)).toBeLessThanOrEqual(5);
    expect(first?.failed.length ?? 0).toBe(0);
    expect(first?.changedMeanwhile).toBeGreaterThanOrEqual(1);
    const after = secretBoxFromSettings({ secretKey: newKey });
    for (const row of await sealedRows(secrets.keys())) {
      const opened = after.open({ keyId: row.secret_key_id, ciphertext: row.secret_ciphertext }, row.id);
      expect(opened).toEqual({ username: "robot", password: row.id === replacedId ? "replaced-through-the-api" : secrets.get(row.id)?.password });
    }
  });
});
