import type { TokenJson } from "@charthouse/api-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@charthouse/testing";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { ensureApiToken } from "./bootstrap.ts";
import { hashToken } from "./auth.ts";

let env: ApiTestEnv;
beforeAll(async () => {
  env = await startApiTestEnv();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

/** A token as POST /tokens answers it: the only time its value is shown. */
type ShownToken = TokenJson & { token: string };

async function createToken(body: Record<string, unknown>, token?: string): Promise<Response> {
  return await env.call("/api/v1/tokens", { method: "POST", json: body, ...(token === undefined ? {} : { token }) });
}

async function createTokenOk(body: Record<string, unknown>, token?: string): Promise<ShownToken> {
  const res = await createToken(body, token);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ShownToken;
}

describe("API tokens", () => {
  it("shows a new token's value once, stores only its sha256, and never lists the value or hash", async () => {
    const res = await createToken({ name: "ci", scopes: ["read"] });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const created = (await res.json()) as ShownToken;
    expect(created.token).toMatch(/^chp_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ name: "ci", scopes: ["read"], last_used_at: null, expires_at: null });
    expect(res.headers.get("location")).toBe(`/api/v1/tokens/${created.id}`);

    const [row] = await env.sql.query<{ token_hash: string }>("SELECT token_hash FROM api_tokens WHERE id = $1", [created.id]);
    expect(row?.token_hash).toBe(hashToken(created.token));

    const list = await (await env.call("/api/v1/tokens")).text();
    const one = await (await env.call(`/api/v1/tokens/${created.id}`)).text();
    for (const text of [list, one]) {
      expect(text).not.toContain(created.token);
      expect(text).not.toContain(row!.token_hash);
      expect(text).not.toContain('"token"');
    }
    expect(JSON.parse(one)).toEqual({ ...created, token: undefined });
  });

  it("works at once with the scopes it was given, nested admin ⊇ write ⊇ read", async () => {
    const reader = await createTokenOk({ name: "reader", scopes: ["read"] });
    const writer = await createTokenOk({ name: "writer", scopes: ["write"] });
    expect((await env.call("/api/v1/registries", { token: reader.token })).status).toBe(200);
    expect((await env.call("/api/v1/registries", { token: writer.token })).status).toBe(200);
    const denied = await env.call("/api/v1/registries", { method: "POST", token: reader.token, json: { name: "r", url: "https://r.example.com" } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ code: "forbidden" });
    const made = await env.call("/api/v1/registries", { method: "POST", token: writer.token, json: { name: "w", url: "https://w.example.com" } });
    expect(made.status).toBe(201);
    for (const token of [reader.token, writer.token]) {
      const res = await env.call("/api/v1/tokens", { token });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "forbidden" });
    }
  });

  it("records last_used_at on use, without a write per request", async () => {
    const created = await createTokenOk({ name: "used", scopes: ["read"] });
    await env.call("/api/v1/registries", { token: created.token });
    const first = await waitFor(
      async () => {
        const body = (await (await env.call(`/api/v1/tokens/${created.id}`)).json()) as TokenJson;
        return body.last_used_at ?? false;
      },
      { what: "last_used_at to be recorded", timeoutMs: 5_000, intervalMs: 50 },
    );
    for (let i = 0; i < 3; i++) await env.call("/api/v1/registries", { token: created.token });
    const [row] = await env.sql.query<{ last_used_at: Date }>("SELECT last_used_at FROM api_tokens WHERE id = $1", [created.id]);
    expect(row?.last_used_at.toISOString()).toBe(first);
  });

  it("answers 401 for a revoked token at once, and 404 for the revoked token's id", async () => {
    const created = await createTokenOk({ name: "doomed", scopes: ["read", "write"] });
    expect((await env.call("/api/v1/registries", { token: created.token })).status).toBe(200);
    expect((await env.call(`/api/v1/tokens/${created.id}`, { method: "DELETE" })).status).toBe(204);
    const res = await env.call("/api/v1/registries", { token: created.token });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "unauthorized" });
    expect((await env.call(`/api/v1/tokens/${created.id}`)).status).toBe(404);
    expect((await env.call(`/api/v1/tokens/${created.id}`, { method: "DELETE" })).status).toBe(404);
    const list = (await (await env.call("/api/v1/tokens")).json()) as { items: TokenJson[] };
    expect(list.items.map((t) => t.id)).not.toContain(created.id);
  });

  it("answers 401 once a token has expired", async () => {
    const soon = new Date(Date.now() + 1_500).toISOString();
    const created = await createTokenOk({ name: "brief", scopes: ["read"], expires_at: soon });
    expect(created.expires_at).toBe(soon);
    expect((await env.call("/api/v1/registries", { token: created.token })).status).toBe(200);
    await waitFor(async () => (await env.call("/api/v1/registries", { token: created.token })).status === 401, {
      what: "the token to expire",
      timeoutMs: 5_000,
      intervalMs: 100,
    });
  });

  it("refuses bad input with 422 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ scopes: ["read"] }, "name"],
      [{ name: "x", scopes: [] }, "scopes"],
      [{ name: "x", scopes: ["root"] }, "scopes.0"],
      [{ name: "x" }, "scopes"],
      [{ name: "x", scopes: ["read"], expires_at: "tomorrow" }, "expires_at"],
      [{ name: "x", scopes: ["read"], expires_at: "2001-01-01T00:00:00Z" }, "expires_at"],
    ];
    for (const [body, field] of cases) {
      const res = await createToken(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const problem = (await res.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((e) => e.field), JSON.stringify(body)).toContain(field);
    }
  });

  it("cannot make a token that outlives the token making it", async () => {
    const parent = await createTokenOk({ name: "temporary admin", scopes: ["admin"], expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    for (const expires_at of [null, new Date(Date.now() + 7_200_000).toISOString()]) {
      const res = await createToken({ name: "child", scopes: ["read"], expires_at }, parent.token);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe("expires_at");
    }
    const child = await createTokenOk({ name: "child", scopes: ["read"], expires_at: new Date(Date.now() + 60_000).toISOString() }, parent.token);
    expect(child.scopes).toEqual(["read"]);
  });
});

describe("organisations", () => {
  it("lets the operator create an organisation whose first token sees only that organisation", async () => {
    await env.call("/api/v1/registries", { method: "POST", json: { name: "operator-only", url: "https://operator.example.com" } });
    const res = await env.call("/api/v1/organizations", { method: "POST", json: { name: "tenant-1" } });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { organization: { id: string; name: string }; token: ShownToken };
    expect(body.organization.name).toBe("tenant-1");
    expect(body.token.scopes).toEqual(["read", "write", "admin"]);
    expect(body.token.token).toMatch(/^chp_/);

    const current = await env.call("/api/v1/organizations/current", { token: body.token.token });
    expect(await current.json()).toEqual({ ...body.organization });
    const registries = (await (await env.call("/api/v1/registries", { token: body.token.token })).json()) as { items: unknown[] };
    expect(registries.items).toEqual([]);
    const tokens = (await (await env.call("/api/v1/tokens", { token: body.token.token })).json()) as { items: TokenJson[] };
    expect(tokens.items.map((t) => t.id)).toEqual([body.token.id]);

    // The new organisation's admin is not the operator.
    const nested = await env.call("/api/v1/organizations", { method: "POST", token: body.token.token, json: { name: "tenant-2" } });
    expect(nested.status).toBe(403);
    expect(await nested.json()).toMatchObject({ code: "forbidden" });
  });

  it("answers 409 for a taken name and 403 to a write token of the default organisation", async () => {
    expect((await env.call("/api/v1/organizations", { method: "POST", json: { name: "tenant-dup" } })).status).toBe(201);
    const again = await env.call("/api/v1/organizations", { method: "POST", json: { name: "tenant-dup" } });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: "conflict" });
    const writer = "default-writer-token-value";
    await ensureApiToken(env.db, env.orgA.id, { name: "writer", value: writer, scopes: ["read", "write"] });
    const res = await env.call("/api/v1/organizations", { method: "POST", token: writer, json: { name: "tenant-3" } });
    expect(res.status).toBe(403);
  });

  it("answers the caller's organisation to any token", async () => {
    const current = await env.call("/api/v1/organizations/current", { token: env.orgB.token });
    expect(current.status).toBe(200);
    expect(((await current.json()) as { id: string }).id).toBe(env.orgB.id);
  });
});
