import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "@charthouse/errors";
import { ApiTokenRepository } from "./api_token_repository.ts";
import type { SqlClient } from "./sql_client.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";

let database: TwoOrganizationDatabase;
let sql: SqlClient;
let tokens: ApiTokenRepository;
let orgA: string;
let orgB: string;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_token_repo");
  ({ sql, orgA, orgB } = database);
  tokens = new ApiTokenRepository(sql);
});

afterAll(() => database?.close());

const insert = (organizationId: string, name: string, expiresAt: Date | null = null): Promise<string> =>
  tokens.insert(organizationId, { name, hash: randomUUID(), scopes: ["read"], expiresAt });

describe("ApiTokenRepository", () => {
  it("findUsable() finds a token by hash until it is revoked or expired, and says when its use is worth recording", async () => {
    const hash = randomUUID();
    const id = await tokens.insert(orgA, { name: "ci", hash, scopes: ["read", "write"], expiresAt: null });
    expect(await tokens.findUsable(hash)).toMatchObject({ id, organization_id: orgA, scopes: ["read", "write"], stale: true });
    await tokens.touchLastUsed(id);
    expect((await tokens.findUsable(hash))?.stale).toBe(false);
    await tokens.revoke(orgA, id);
    expect(await tokens.findUsable(hash)).toBeNull();

    const expiredHash = randomUUID();
    await tokens.insert(orgA, { name: "old", hash: expiredHash, scopes: ["read"], expiresAt: new Date(Date.now() - 1_000) });
    expect(await tokens.findUsable(expiredHash)).toBeNull();
  });

  it("list() and get() show one organisation's unrevoked tokens only, by name, page by page", async () => {
    const ids = [await insert(orgB, "t1"), await insert(orgB, "t2"), await insert(orgB, "t3")];
    await tokens.revoke(orgB, ids[1]!);
    const first = await tokens.list(orgB, { limit: 1, after: undefined });
    expect(first.map((t) => t.name)).toEqual(["t1"]);
    const rest = await tokens.list(orgB, { limit: 10, after: { name: first[0]!.name, id: first[0]!.id } });
    expect(rest.map((t) => t.name)).toEqual(["t3"]);
    expect(await tokens.get(orgA, ids[0]!)).toBeNull();
    expect(await tokens.get(orgB, ids[1]!)).toBeNull();
    expect((await tokens.get(orgB, ids[2]!))?.name).toBe("t3");
  });

  it("revoke() of another organisation's token is not found and leaves it usable", async () => {
    const id = await insert(orgA, "mine");
    await expect(tokens.revoke(orgB, id)).rejects.toThrow(NotFoundError);
    expect(await tokens.stillUsable([id, randomUUID()])).toEqual(new Set([id]));
  });

  it("ensure() keeps one token per hash", async () => {
    const token = { name: "bootstrap", hash: randomUUID(), scopes: ["read"] };
    const ids = await Promise.all([tokens.ensure(orgA, token), tokens.ensure(orgA, token), tokens.ensure(orgA, token)]);
    expect(new Set(ids).size).toBe(1);
  });
});
