import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DataSource } from "@charthouse/db";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { bootstrapDefaultOrganization } from "./bootstrap.ts";

let database: TestDatabase;
let db: DataSource;

beforeAll(async () => {
  database = await createTestDatabase("ch_bootstrap_test");
  db = await openDatabase(database.url, { poolSize: 12 });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe("bootstrapDefaultOrganization()", () => {
  it("gives every copy of registry-api starting at once the same organisation and token", async () => {
    for (let round = 0; round < 5; round++) {
      const token = `ch_race_${round}`;
      const ids = await Promise.all(Array.from({ length: 10 }, () => bootstrapDefaultOrganization(db, token)));
      expect(new Set(ids).size).toBe(1);
      const [{ n }] = (await db.query("SELECT count(*)::int AS n FROM api_tokens WHERE name = 'bootstrap'")) as [{ n: number }];
      expect(n).toBe(round + 1);
    }
  });
});
