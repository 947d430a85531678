import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, NotFoundError } from "@charthouse/errors";
import { ReceiverRepository } from "./receiver_repository.ts";
import { RegistryRepository } from "./registry_repository.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";
import { SealedSecretTable } from "./sealed_secret_table.ts";

let database: TwoOrganizationDatabase;
let receivers: ReceiverRepository;
let registryId: string;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_receiver_repo");
  receivers = new ReceiverRepository(database.sql);
  registryId = await new RegistryRepository(database.sql).insert(database.orgA, {
    name: "pushed",
    url: "oci://registry.example.com/ns",
    kind: "oci_registry",
    credentialId: null,
    syncIntervalSeconds: 3600,
  });
});

afterAll(() => database?.close());

describe("ReceiverRepository", () => {
  it("keeps a receiver in its organisation and gives the hook its proof and registry", async () => {
    const id = randomUUID();
    await receivers.insert(database.orgA, { id, name: "hub", kind: "dockerhub", registryId, proof: { kind: "hash", hash: "ab".repeat(32) } });
    expect(await receivers.get(database.orgA, id)).toMatchObject({ id, name: "hub", kind: "dockerhub", registry_id: registryId });
    expect(Object.keys((await receivers.get(database.orgA, id)) ?? {})).not.toContain("secret_hash");
    expect(await receivers.get(database.orgB, id)).toBeNull();
    await expect(receivers.delete(database.orgB, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await receivers.target(id)).toEqual({
      id,
      kind: "dockerhub",
      organizationId: database.orgA,
      registryId,
      registryKind: "oci_registry",
      registryUrl: "oci://registry.example.com/ns",
      proof: { kind: "hash", hash: "ab".repeat(32) },
    });
    await expect(
      receivers.insert(database.orgA, { id: randomUUID(), name: "hub", kind: "generic", registryId, proof: { kind: "hash", hash: "cd".repeat(32) } }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(
      receivers.insert(database.orgB, { id: randomUUID(), name: "theirs", kind: "generic", registryId, proof: { kind: "hash", hash: "cd".repeat(32) } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await receivers.delete(database.orgA, id);
    expect(await receivers.target(id)).toBeNull();
  });

  it("remembers a delivery id once per receiver, and forgets it after the time kept", async () => {
    const id = randomUUID();
    await receivers.insert(database.orgA, { id, name: "gh", kind: "github", registryId, proof: { kind: "sealed", keyId: "k1", ciphertext: "sealed" } });
    expect(await receivers.rememberDelivery(id, "delivery-1", 3600)).toBe(true);
    expect(await receivers.rememberDelivery(id, "delivery-1", 3600)).toBe(false);
    expect(await receivers.rememberDelivery(id, "delivery-2", 3600)).toBe(true);
    await database.sql.query("UPDATE receiver_deliveries SET received_at = now() - interval '2 hours' WHERE delivery_id = 'delivery-1'");
    expect(await receivers.rememberDelivery(id, "delivery-1", 3600)).toBe(true);
  });

  it("offers its sealed secrets, and only those, to key rotation", async () => {
    const sealed = randomUUID();
    const hashed = randomUUID();
    await receivers.insert(database.orgA, { id: sealed, name: "gh-rotate", kind: "github", registryId, proof: { kind: "sealed", keyId: "old", ciphertext: "c-old" } });
    await receivers.insert(database.orgA, { id: hashed, name: "hashed", kind: "generic", registryId, proof: { kind: "hash", hash: "ef".repeat(32) } });
    const columns = new SealedSecretTable(database.sql, "receivers");
    const pending = await columns.listSealedNotUnder("new", { afterId: "00000000-0000-0000-0000-000000000000", limit: 100 });
    expect(pending.map((r) => r.id)).toContain(sealed);
    expect(pending.map((r) => r.id)).not.toContain(hashed);
    const written = await columns.replaceSealed([{ id: sealed, old: { keyId: "old", ciphertext: "c-old" }, next: { keyId: "new", ciphertext: "c-new" } }]);
    expect(written).toEqual([sealed]);
    expect(await columns.countSealedUnder("new")).toBe(1);
    expect((await receivers.target(sealed))?.proof).toEqual({ kind: "sealed", keyId: "new", ciphertext: "c-new" });
  });
});
