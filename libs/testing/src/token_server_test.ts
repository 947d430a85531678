import { X509Certificate, createVerify } from "node:crypto";
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTokenServer, type TokenServer } from "./token_server.ts";

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown>; signingInput: string; signature: Buffer } {
  const [header = "", claims = "", signature = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(claims, "base64url").toString("utf8")) as Record<string, unknown>,
    signingInput: `${header}.${claims}`,
    signature: Buffer.from(signature, "base64url"),
  };
}

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("startTokenServer()", () => {
  let server: TokenServer;

  beforeAll(async () => {
    server = await startTokenServer({ users: { alice: "pw" }, publicRepositories: ["pub/chart"], refreshTokens: { r1: "alice" }, lifetimeSeconds: 120 });
  });

  afterAll(async () => {
    await server.stop();
  });

  const get = (scope: string, authorization?: string): Promise<Response> =>
    fetch(`${server.realm}?service=${server.service}&scope=${encodeURIComponent(scope)}`, {
      ...(authorization === undefined ? {} : { headers: { authorization } }),
    });

  it("signs RS256 tokens with the x5c certificate of rootCertBundlePath and distribution's claims", async () => {
    const response = await get("repository:priv/chart:pull", basic("alice", "pw"));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; access_token: string; expires_in: number; issued_at: string };
    expect(body.access_token).toBe(body.token);
    expect(body.expires_in).toBe(120);
    const { header, claims, signingInput, signature } = decode(body.token);
    const certificate = new X509Certificate(await readFile(server.rootCertBundlePath));
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT", x5c: [certificate.raw.toString("base64")] });
    expect(createVerify("RSA-SHA256").update(signingInput).verify(certificate.publicKey, signature)).toBe(true);
    expect(claims).toMatchObject({ iss: server.issuer, aud: server.service, sub: "alice", access: [{ type: "repository", name: "priv/chart", actions: ["pull"] }] });
    expect((claims.exp as number) - (claims.iat as number)).toBe(120);
    expect(typeof claims.jti).toBe("string");
  });

  it("gives anonymous users pull on public repositories only, and refuses a wrong password", async () => {
    const open = decode(((await (await get("repository:pub/chart:pull,push")).json()) as { token: string }).token).claims;
    expect(open.access).toEqual([{ type: "repository", name: "pub/chart", actions: ["pull"] }]);
    const closed = decode(((await (await get("repository:priv/chart:pull")).json()) as { token: string }).token).claims;
    expect(closed.access).toEqual([]);
    expect((await get("repository:priv/chart:pull", basic("alice", "nope"))).status).toBe(401);
    expect(server.requests.slice(-3).map((r) => [r.grant, r.user, r.status])).toEqual([
      ["anonymous", null, 200],
      ["anonymous", null, 200],
      ["basic", null, 401],
    ]);
  });

  it("takes the OAuth2 POST form for password and refresh_token grants", async () => {
    const post = (form: Record<string, string>): Promise<Response> =>
      fetch(server.realm, { method: "POST", body: new URLSearchParams({ service: server.service, scope: "repository:x/y:pull", ...form }) });
    const refreshed = await post({ grant_type: "refresh_token", refresh_token: "r1" });
    expect(refreshed.status).toBe(200);
    expect(decode(((await refreshed.json()) as { access_token: string }).access_token).claims.sub).toBe("alice");
    expect((await post({ grant_type: "password", username: "alice", password: "pw" })).status).toBe(200);
    expect((await post({ grant_type: "refresh_token", refresh_token: "unknown" })).status).toBe(401);
    server.addRefreshToken("r2", "alice");
    expect((await post({ grant_type: "refresh_token", refresh_token: "r2" })).status).toBe(200);
  });

  it("issues tokens without access, expired, or refuses GET when configured so", async () => {
    server.configure({ withoutAccess: true, expiredTokens: true });
    const { claims } = decode(((await (await get("repository:priv/chart:pull", basic("alice", "pw"))).json()) as { token: string }).token);
    expect(claims.access).toEqual([]);
    expect(claims.exp as number).toBeLessThan(Date.now() / 1000 - 60);
    server.configure({ withoutAccess: false, expiredTokens: false, postOnly: true });
    expect((await get("repository:priv/chart:pull")).status).toBe(405);
    server.configure({ postOnly: false });
    expect(decode(server.signToken({ sub: "bob" })).claims).toMatchObject({ sub: "bob", iss: server.issuer, aud: server.service, access: [] });
  });
});

describe("startTokenServer({ verifyPassword })", () => {
  it("lets the callback sign in users not in `users`, and keeps `users` to their own passwords", async () => {
    const issued = new Set(["short-lived-1"]);
    const server = await startTokenServer({ users: { alice: "pw" }, verifyPassword: (_user, password) => issued.has(password) });
    try {
      const get = (user: string, password: string): Promise<Response> =>
        fetch(`${server.realm}?service=${server.service}&scope=repository:x/y:pull`, { headers: { authorization: basic(user, password) } });
      const granted = await get("AWS", "short-lived-1");
      expect(granted.status).toBe(200);
      expect(decode(((await granted.json()) as { token: string }).token).claims).toMatchObject({ sub: "AWS", access: [{ name: "x/y", actions: ["pull"] }] });
      expect((await get("alice", "short-lived-1")).status).toBe(401);
      issued.delete("short-lived-1");
      expect((await get("AWS", "short-lived-1")).status).toBe(401);
      const form = new URLSearchParams({ service: server.service, scope: "repository:x/y:pull", grant_type: "password", username: "AWS", password: "short-lived-2" });
      expect((await fetch(server.realm, { method: "POST", body: form })).status).toBe(401);
      issued.add("short-lived-2");
      expect((await fetch(server.realm, { method: "POST", body: form })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
