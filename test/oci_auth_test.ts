import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeChart,
  makeTempDir,
  pushChart,
  startDockerRegistry,
  startTokenServer,
  type DockerRegistry,
  type TokenServer,
} from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { getVersion, registryWhen, syncNow } from "./support/api_waits.ts";

let charthouse: CharthouseUnderTest;
let basicRegistry: DockerRegistry;
let tokenRegistry: DockerRegistry;
let tokens: TokenServer;
const user = { username: "ci", password: `pw-${randomBytes(12).toString("hex")}` };

/** Packages a chart with helm and pushes it with helm, signed in as `user`. */
async function push(host: string, namespace: string, name: string, version: string): Promise<void> {
  const archive = await makeChart(await makeTempDir("oci-auth-chart"), { name, version, values: `name: ${name}\n` });
  await pushChart(archive, `${host}/${namespace}`, { login: user });
}

/** Creates a basic credential through the API; returns its id. */
async function basicCredential(name: string, password: string): Promise<string> {
  const created = await charthouse.api<{ id: string }>("POST", "/credentials", { name, kind: "basic", username: user.username, password });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Adds an OCI registry (with a credential, if given); returns its id. */
async function addOci(name: string, url: string, credentialId?: string): Promise<string> {
  const created = await charthouse.api<{ id: string }>("POST", "/registries", {
    name,
    url,
    ...(credentialId === undefined ? {} : { credential_id: credentialId }),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Waits until the registry's sync failed; returns its stored error. */
async function failure(id: string): Promise<{ code: string; message: string; solution: string }> {
  const failed = await registryWhen(charthouse, id, (r) => r.status.last_outcome === "failed", "the sync to fail");
  return failed.status.last_error!;
}

beforeAll(async () => {
  basicRegistry = await startDockerRegistry({ htpasswd: user });
  tokens = await startTokenServer({ users: { [user.username]: user.password }, publicRepositories: ["pub/web"] });
  tokenRegistry = await startDockerRegistry({ tokenAuth: tokens });
  await push(basicRegistry.host, "team", "api", "1.0.0");
  await push(tokenRegistry.host, "pub", "web", "2.0.0");
  await push(tokenRegistry.host, "priv", "api", "3.0.0");
  charthouse = await startCharthouse();
});

afterAll(async () => {
  await charthouse?.stop();
  await tokenRegistry?.stop();
  await basicRegistry?.stop();
  await tokens?.stop();
});

describe("an OCI registry with htpasswd Basic auth", () => {
  it("without a credential ends `unauthorized`, asking for one", async () => {
    const error = await failure(await addOci("basic-anonymous", `oci://${basicRegistry.host}/team/api`));
    expect(error).toMatchObject({ code: "unauthorized", solution: "Add a registry credential" });
  });

  it("with a wrong password ends `credential_rejected`", async () => {
    const credential = await basicCredential("basic-wrong", "not-the-password");
    const error = await failure(await addOci("basic-wrong", `oci://${basicRegistry.host}/team/api`, credential));
    expect(error).toMatchObject({ code: "credential_rejected", solution: "Refresh or recreate the credential" });
  });

  it("with the right credential brings every version to ready", async () => {
    const credential = await basicCredential("basic-right", user.password);
    const id = await addOci("basic-right", `oci://${basicRegistry.host}/team`, credential);
    await registryWhen(charthouse, id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "api to be ready");
    expect((await getVersion(charthouse, id, "api", "1.0.0")).state).toBe("ready");
  });
});

describe("an OCI registry with token auth (the Bearer challenge flow of GHCR, Docker Hub, Harbor)", () => {
  it("pulls a public repository with an anonymous token", async () => {
    const before = tokens.requests.length;
    const id = await addOci("token-public", `oci://${tokenRegistry.host}/pub/web`);
    await registryWhen(charthouse, id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "web to be ready");
    const asked = tokens.requests.slice(before);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((r) => r.grant === "anonymous")).toBe(true);
  });

  it("exchanges a credential at the realm for a token and brings a private repository to ready", async () => {
    const before = tokens.requests.length;
    const credential = await basicCredential("token-right", user.password);
    const id = await addOci("token-private", `oci://${tokenRegistry.host}/priv/api`, credential);
    await registryWhen(charthouse, id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "api to be ready");
    expect(tokens.requests.slice(before).some((r) => r.grant === "basic" && r.user === user.username && r.status === 200)).toBe(true);
  });

  it("fetches a new token when the registry refuses an expired one, and the sync succeeds", async () => {
    // Tokens the registry accepts for a second or two, while expires_in promises five minutes.
    tokens.configure({ expSeconds: -58 });
    try {
      const credential = await basicCredential("token-expiring", user.password);
      const id = await addOci("token-expiring", `oci://${tokenRegistry.host}/priv/api`, credential);
      await registryWhen(charthouse, id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "api to be ready");
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the cached token expire for real
      const before = tokens.requests.length;
      const run = await syncNow(charthouse, id);
      expect(run.outcome).toBe("unchanged");
      expect(tokens.requests.slice(before).filter((r) => r.grant === "basic" && r.status === 200).length).toBeGreaterThan(0);
    } finally {
      tokens.configure({ expSeconds: undefined });
    }
  });

  it("reports a token without pull access as `credential_rejected`, naming the repository", async () => {
    tokens.configure({ withoutAccess: true });
    try {
      const credential = await basicCredential("token-no-scope", user.password);
      const error = await failure(await addOci("token-no-scope", `oci://${tokenRegistry.host}/priv/api`, credential));
      expect(error.code).toBe("credential_rejected");
      expect(error.message).toContain("priv/api");
    } finally {
      tokens.configure({ withoutAccess: false });
    }
  });

  it("without a credential reports a private repository as `unauthorized`", async () => {
    const error = await failure(await addOci("token-anonymous-private", `oci://${tokenRegistry.host}/priv/api`));
    expect(error.code).toBe("unauthorized");
  });
});
