import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRegistryAgents } from "@charthouse/outbound-http";
import {
  makeChart,
  makeTempDir,
  pushChart,
  rejectionOf,
  removeTempDir,
  startDockerRegistry,
  startTokenServer,
  waitFor,
  type DockerRegistry,
  type TokenServer,
} from "@charthouse/testing";
import { parseOciReference } from "./oci_reference.ts";
import { recordedLogins, sealedCredential, testBreakers, testClient } from "./recorded_logins_test_support.ts";
import { InsufficientScopeError } from "./registry_auth.ts";


const pusher = { username: "pusher", password: "push-pw" };
const reader = { username: "reader", password: "read-pw-Secret" };


describe("OCI session against docker-registry with token auth", () => {
  let tokens: TokenServer;
  let registry: DockerRegistry;
  let dir: string;

  beforeAll(async () => {
    tokens = await startTokenServer({
      users: { [pusher.username]: pusher.password, [reader.username]: reader.password },
      publicRepositories: ["tok/public-chart"],
      refreshTokens: { "refresh-abc": "reader" },
    });
    registry = await startDockerRegistry({ tokenAuth: tokens });
    dir = await makeTempDir("oci-token");
    for (const name of ["public-chart", "private-chart"]) {
      await pushChart(await makeChart(dir, { name, version: "1.0.0" }), `${registry.host}/tok`, { login: pusher });
    }
  }, 120_000);

  afterAll(async () => {
    await registry.stop();
    await tokens.stop();
    await removeTempDir(dir);
    testBreakers.close();
    await closeRegistryAgents();
  });

  const reference = (): ReturnType<typeof parseOciReference> => parseOciReference(`oci://${registry.host}/tok`);

  it("pulls a public repository with an anonymous token, fetched once and then cached", async () => {
    tokens.requests.length = 0;
    const session = testClient().session(reference(), null);
    expect(await session.listTags("tok/public-chart")).toEqual(["1.0.0"]);
    const manifest = await session.manifest("tok/public-chart", "1.0.0");
    expect(await session.chartConfig("tok/public-chart", manifest.configDigest)).toMatchObject({ name: "public-chart" });
    expect(tokens.requests.map((r) => [r.method, r.grant, r.scopes.join(" "), r.status])).toEqual([
      ["GET", "anonymous", "repository:tok/public-chart:pull", 200],
    ]);
  });

  it("reports a private repository to anonymous users as unauthorized (insufficient_scope)", async () => {
    const session = testClient().session(reference(), null);
    const err = await rejectionOf(session.listTags("tok/private-chart"));
    expect(err).toBeInstanceOf(InsufficientScopeError);
    expect(err.code).toBe("unauthorized");
    expect(err.solution).toBe("Add a registry credential");
  });

  it("exchanges a Basic login at the realm for a token and shares one token fetch between concurrent requests", async () => {
    tokens.requests.length = 0;
    const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
    await session.listTags("tok/private-chart");
    const [digest, tags] = await Promise.all([session.manifestDigest("tok/private-chart", "1.0.0"), session.listTags("tok/private-chart")]);
    expect(digest).toMatch(/^sha256:/);
    expect(tags).toEqual(["1.0.0"]);
    expect(tokens.requests.map((r) => [r.grant, r.user])).toEqual([["basic", "reader"]]);
  });

  it("lists the catalog with a credential (registry:catalog:* scope)", async () => {
    const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
    expect(await session.listRepositories("tok")).toEqual({ repositories: ["tok/private-chart", "tok/public-chart"], via: "catalog" });
  });

  it("says listing is unavailable when anonymous users may not list the catalog", async () => {
    const err = await rejectionOf(testClient().session(reference(), null).listRepositories("tok"));
    expect(err.code).toBe("listing_unavailable");
    expect(err.solution).toContain(`oci://${registry.host}/tok/CHART`);
  });

  it("rejects a wrong password at the realm as credential_rejected, forgetting the login once", async () => {
    tokens.requests.length = 0;
    const logins = recordedLogins({ w: { type: "basic", username: "reader", password: "not-the-password-42", expiresAt: null } });
    const err = await rejectionOf(testClient(logins).session(reference(), sealedCredential("w")).listTags("tok/private-chart"));
    expect(err.code).toBe("credential_rejected");
    expect(logins.forgotten).toEqual(["w"]);
    expect(tokens.requests.filter((r) => r.grant === "basic").length).toBe(2);
    expect(`${err.message} ${String(err.cause)}`).not.toContain("not-the-password-42");
  });

  it("reports a token without the needed scope as credential_rejected naming the repository", async () => {
    tokens.configure({ withoutAccess: true });
    try {
      const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
      const err = await rejectionOf(session.listTags("tok/private-chart"));
      expect(err).toBeInstanceOf(InsufficientScopeError);
      expect(err.code).toBe("credential_rejected");
      expect(err.message).toContain("lacks access to pull tok/private-chart");
    } finally {
      tokens.configure({ withoutAccess: false });
    }
  });

  it("fetches a new token when the cached one expires", async () => {
    tokens.configure({ lifetimeSeconds: 1 });
    try {
      tokens.requests.length = 0;
      const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
      await session.listTags("tok/private-chart");
      expect(tokens.requests.length).toBe(1);
      await waitFor(
        async () => {
          expect(await session.listTags("tok/private-chart")).toEqual(["1.0.0"]);
          return tokens.requests.length >= 2;
        },
        { what: "a second token after the first expired", timeoutMs: 5_000, intervalMs: 100 },
      );
    } finally {
      tokens.configure({ lifetimeSeconds: 300 });
    }
  });

  it("drops a cached token the registry refuses and fetches one more", async () => {
    // exp 58 s in the past: the registry (60 s leeway) accepts it for a second or two, the cache for 300 s.
    tokens.configure({ expSeconds: -58 });
    try {
      tokens.requests.length = 0;
      const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
      await session.listTags("tok/private-chart");
      await waitFor(
        async () => {
          expect(await session.listTags("tok/private-chart")).toEqual(["1.0.0"]);
          return tokens.requests.length >= 2;
        },
        { what: "the refused token to be replaced", timeoutMs: 8_000, intervalMs: 200 },
      );
    } finally {
      tokens.configure({ expSeconds: undefined });
    }
  });

  it("reports a token the registry refuses at once as credential_rejected", async () => {
    tokens.configure({ expiredTokens: true });
    try {
      const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
      const err = await rejectionOf(session.listTags("tok/private-chart"));
      expect(err.code).toBe("credential_rejected");
      expect(err.message).toContain("refused the token");
    } finally {
      tokens.configure({ expiredTokens: false });
    }
  });

  it("exchanges a refresh token with the OAuth2 POST form", async () => {
    tokens.requests.length = 0;
    const session = testClient(recordedLogins({ acr: { type: "refresh_token", refreshToken: "refresh-abc", expiresAt: null } })).session(
      reference(),
      sealedCredential("acr"),
    );
    expect(await session.listTags("tok/private-chart")).toEqual(["1.0.0"]);
    expect(tokens.requests.map((r) => [r.method, r.grant, r.user])).toEqual([["POST", "refresh_token", "reader"]]);
  });

  it("falls back to grant_type=password when the realm refuses GET", async () => {
    tokens.configure({ postOnly: true });
    try {
      tokens.requests.length = 0;
      const session = testClient(recordedLogins({ r: { type: "basic", ...reader, expiresAt: null } })).session(reference(), sealedCredential("r"));
      expect(await session.listTags("tok/private-chart")).toEqual(["1.0.0"]);
      expect(tokens.requests.map((r) => [r.method, r.grant, r.status])).toEqual([
        ["GET", "basic", 405],
        ["POST", "password", 200],
      ]);
    } finally {
      tokens.configure({ postOnly: false });
    }
  });
});
