import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlClient, ensureSchema, type SqlClient } from "@charthouse/db";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { createApiRepositories, type ApiRepositories } from "./api_repositories.ts";
import { bootstrapDefaultOrganization } from "./bootstrap.ts";

let database: TestDatabase;
let sql: SqlClient;
let db: ApiRepositories;

beforeAll(async () => {
  database = await createTestDatabase("ch_bootstrap_test");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 12 });
  db = createApiRepositories(sql);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

describe("bootstrapDefaultOrganization()", () => {
  it("gives every copy of registry-api starting at once the same organisation and token", async () => {
    for (let round = 0; round < 5; round++) {
      const token = `ch_race_${round}`;
      const ids = await Promise.all(Array.from({ length: 10 }, () => bootstrapDefaultOrganization(db, token)));
      expect(new Set(ids).size).toBe(1);
      const [row] = await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM api_tokens WHERE name = 'bootstrap'");
      expect(row?.n).toBe(round + 1);
    }
  });
});
