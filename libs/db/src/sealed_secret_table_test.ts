import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SealedSecretTable } from "./sealed_secret_table.ts";
import { SubscriptionRepository } from "./subscription_repository.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";

let database: TwoOrganizationDatabase;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_sealed_table");
});

afterAll(() => database?.close());

describe("SealedSecretTable", () => {
  it("rewrites subscriptions' secrets only where they are still what was read", async () => {
    const subscriptions = new SubscriptionRepository(database.sql);
    const ids = [randomUUID(), randomUUID()];
    for (const [i, id] of ids.entries()) {
      await subscriptions.insert(database.orgA, {
        id,
        name: `s${i}`,
        url: "https://hooks.example.com/x",
        events: ["version.ready"],
        registryId: null,
        chart: null,
        versionRange: null,
        includePrereleases: false,
        format: "cloudevents",
        secret: { keyId: "old", ciphertext: `c${i}` },
      });
    }
    const table = new SealedSecretTable(database.sql, "subscriptions");
    expect(await table.countSealedUnder("old")).toBe(2);
    const rows = await table.listSealedNotUnder("new", { afterId: "00000000-0000-0000-0000-000000000000", limit: 10 });
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    const written = await table.replaceSealed([
      { id: ids[0]!, old: { keyId: "old", ciphertext: "c0" }, next: { keyId: "new", ciphertext: "n0" } },
      { id: ids[1]!, old: { keyId: "old", ciphertext: "changed meanwhile" }, next: { keyId: "new", ciphertext: "n1" } },
    ]);
    expect(written).toEqual([ids[0]]);
    expect(await table.countSealedUnder("new")).toBe(1);
  });
});
