import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "@charthouse/errors";
import { createTestDatabase, type TestDatabase } from "@charthouse/testing";
import { OrganizationRepository } from "./organization_repository.ts";
import { ensureSchema } from "./schema.ts";
import { createSqlClient, type SqlClient } from "./sql_client.ts";

let database: TestDatabase;
let sql: SqlClient;
let organizations: OrganizationRepository;

beforeAll(async () => {
  database = await createTestDatabase("ch_org_repo");
  await ensureSchema(database.url);
  sql = createSqlClient(database.url, { poolSize: 12 });
  organizations = new OrganizationRepository(sql);
});

afterAll(async () => {
  await sql?.close();
  await database?.drop();
});

const token = (name: string): { name: string; hash: string; scopes: string[] } => ({ name, hash: randomUUID(), scopes: ["read", "write", "admin"] });

describe("OrganizationRepository", () => {
  it("ensure() gives every concurrent caller the same organisation", async () => {
    const name = `org-${randomUUID()}`;
    const ids = await Promise.all(Array.from({ length: 8 }, () => organizations.ensure(name)));
    expect(new Set(ids).size).toBe(1);
    expect((await organizations.get(ids[0]!))?.name).toBe(name);
  });

  it("get() answers null for an unknown id", async () => {
    expect(await organizations.get(randomUUID())).toBeNull();
  });

  it("insertWithToken() stores the organisation with its first token, and a taken name stores neither", async () => {
    const name = `org-${randomUUID()}`;
    const first = token("admin");
    const created = await organizations.insertWithToken(name, first);
    const [stored] = await sql.query<{ organization_id: string; token_hash: string }>("SELECT organization_id, token_hash FROM api_tokens WHERE id = $1", [
      created.tokenId,
    ]);
    expect(stored).toEqual({ organization_id: created.organizationId, token_hash: first.hash });

    const second = token("admin");
    await expect(organizations.insertWithToken(name, second)).rejects.toThrow(ConflictError);
    expect(await sql.query("SELECT id FROM api_tokens WHERE token_hash = $1", [second.hash])).toEqual([]);
  });
});
