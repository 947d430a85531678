import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "@charthouse/errors";
import { CredentialRepository, type NewCredential } from "./credential_repository.ts";
import { RegistryRepository } from "./registry_repository.ts";
import type { SqlClient } from "./sql_client.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";

let database: TwoOrganizationDatabase;
let sql: SqlClient;
let credentials: CredentialRepository;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_credential_repo");
  ({ sql, orgA, orgB } = database);
  credentials = new CredentialRepository(sql);
});

afterAll(() => database?.close());

const credential = (name: string, keyId = "k1"): NewCredential => ({
  id: randomUUID(),
  name,
  kind: "basic",
  username: "robot",
  providerHint: null,
  secret: { keyId, ciphertext: `sealed-${randomUUID()}` },
});

describe("CredentialRepository", () => {
  it("reads one organisation's credentials only, never their secret in the public reads", async () => {
    const mine = credential("pull");
    await credentials.insert(orgA, mine);
    const row = await credentials.get(orgA, mine.id);
    expect(row).toMatchObject({ id: mine.id, name: "pull", kind: "basic", username: "robot", provider_hint: null });
    expect(Object.keys(row ?? {})).not.toContain("secret_ciphertext");
    expect(await credentials.get(orgB, mine.id)).toBeNull();
    expect(await credentials.getSealed(orgB, mine.id)).toBeNull();
    expect(await credentials.exists(orgB, mine.id)).toBe(false);
    expect(await credentials.getSealed(orgA, mine.id)).toMatchObject({ secret_key_id: "k1", secret_ciphertext: mine.secret.ciphertext });
    expect((await credentials.list(orgB, { limit: 10, after: undefined })).map((c) => c.id)).not.toContain(mine.id);
  });

  it("answers a taken name with a conflict, on insert and on rename", async () => {
    const first = credential("taken");
    await credentials.insert(orgA, first);
    await expect(credentials.insert(orgA, credential("taken"))).rejects.toThrow(ConflictError);
    await credentials.insert(orgB, credential("taken"));
    const other = credential("free");
    await credentials.insert(orgA, other);
    await expect(credentials.update(orgA, other.id, { name: "taken" })).rejects.toThrow(ConflictError);
  });

  it("update() replaces the secret with its public fields; another organisation's is not found", async () => {
    const stored = credential("rotate-me");
    await credentials.insert(orgA, stored);
    await expect(credentials.update(orgB, stored.id, { name: "stolen" })).rejects.toThrow(NotFoundError);
    await credentials.update(orgA, stored.id, { secret: { username: null, providerHint: "ecr", sealed: { keyId: "k2", ciphertext: "new" } } });
    expect(await credentials.get(orgA, stored.id)).toMatchObject({ name: "rotate-me", username: null, provider_hint: "ecr" });
    expect(await credentials.getSealed(orgA, stored.id)).toMatchObject({ secret_key_id: "k2", secret_ciphertext: "new" });
  });

  it("delete() refuses a credential a registry uses, naming the registry", async () => {
    const used = credential("used");
    await credentials.insert(orgA, used);
    await new RegistryRepository(sql).insert(orgA, { name: "needs-it", url: "https://a.example.invalid", kind: "http_registry", credentialId: used.id, syncIntervalSeconds: 0 });
    await expect(credentials.delete(orgA, used.id)).rejects.toThrow(/used by registries: "needs-it"/);
    const unused = credential("unused");
    await credentials.insert(orgA, unused);
    await expect(credentials.delete(orgB, unused.id)).rejects.toThrow(NotFoundError);
    await credentials.delete(orgA, unused.id);
    expect(await credentials.get(orgA, unused.id)).toBeNull();
  });

  it("replaceSealed() writes only secrets that are still the ones read (compare-and-set)", async () => {
    const a = credential("cas-a", "old");
    const b = credential("cas-b", "old");
    await credentials.insert(orgA, a);
    await credentials.insert(orgA, b);
    const written = await credentials.replaceSealed([
      { id: a.id, old: a.secret, next: { keyId: "new", ciphertext: "a2" } },
      { id: b.id, old: { keyId: "old", ciphertext: "not what is stored" }, next: { keyId: "new", ciphertext: "b2" } },
    ]);
    expect(written).toEqual([a.id]);
    const pending = await credentials.listSealedNotUnder("new", { afterId: "00000000-0000-0000-0000-000000000000", limit: 1_000 });
    expect(pending.map((row) => row.id)).toContain(b.id);
    expect(pending.map((row) => row.id)).not.toContain(a.id);
    expect(await credentials.countSealedUnder("new")).toBe(1);
  });
});
