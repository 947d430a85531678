// Secrets of every kind go through the whole stack, so the end-of-run scan (support/
// secret_check_global_setup.ts) has something to find if anything leaks them: credentials of
// every kind created, changed, refused and used against a registry, API tokens and an
// organisation made and used. The harness records each secret it sends or is shown; this file
// also scans the run so far itself, to fail here rather than only at the end of the run.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import type { RegistryJson } from "@charthouse/api-types";
import { registrySettled, registryWhen } from "./support/api_waits.ts";
import { recordSecret, runDir } from "./support/secret_ledger.ts";
import { scanRunForSecrets } from "./support/secret_scan.ts";

const unique = randomBytes(6).toString("hex");
const password = `basic-Passw0rd-${unique}`;
const bearer = `ghp_bearer${unique}TOKEN`;
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let guarded: NginxServer;
let open: NginxServer;

/** POST /credentials through the harness (which records the secret fields) and returns the id. */
async function createCredential(body: Record<string, unknown>): Promise<string> {
  const created = await charthouse.api<{ id: string }>("POST", "/credentials", body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  repository = await makeChartRepository([{ name: "hygiene", version: "1.0.0", values: "a: 1\n" }]);
  guarded = await startNginx({ root: repository.root, basicAuth: { username: "reader", password } });
  open = await startNginx({ root: repository.root });
  charthouse = await startCharthouse();
});

afterAll(async () => {
  await charthouse?.stop();
  await guarded?.stop();
  await open?.stop();
});

describe("secrets through the whole stack", () => {
  it("stores credentials of every kind, and answers none of their secrets", async () => {
    const ids = [
      await createCredential({ name: "basic", kind: "basic", username: "reader", password }),
      await createCredential({ name: "token", kind: "token", token: bearer }),
      await createCredential({
        name: "gcp",
        kind: "gcp_service_account",
        service_account_json: JSON.stringify({
          type: "service_account",
          client_email: "charts@project.iam.gserviceaccount.com",
          private_key: privateKey,
          token_uri: "https://oauth2.googleapis.com/token",
        }),
      }),
      await createCredential({
        name: "aws",
        kind: "aws",
        access_key_id: "AKIAEXAMPLE0123456789",
        secret_access_key: `aws/Secret+Key${unique}`,
        session_token: `aws-session-token-${unique}`,
        region: "eu-west-1",
      }),
      await createCredential({
        name: "azure",
        kind: "azure_service_principal",
        tenant_id: "contoso.onmicrosoft.com",
        client_id: "00000000-0000-4000-8000-000000000001",
        client_secret: `azure~client.secret_${unique}`,
      }),
    ];
    const patched = await charthouse.api("PATCH", `/credentials/${ids[1]}`, { token: `${bearer}-rotated` });
    expect(patched.status).toBe(200);
    for (const id of ids) expect((await charthouse.api("GET", `/credentials/${id}`)).status).toBe(200);
    expect((await charthouse.api<{ items: unknown[] }>("GET", "/credentials")).body.items).toHaveLength(5);

    // A refused secret is not echoed either: a key file that is not JSON, holding a key.
    const brokenKeyFile = `{"private_key": "${privateKey.split("\n")[1] ?? ""}", oops`;
    recordSecret("private key line inside an invalid key file", privateKey.split("\n")[1] ?? "");
    const refused = await charthouse.api("POST", "/credentials", { name: "gcp-bad", kind: "gcp_service_account", service_account_json: brokenKeyFile });
    expect(refused.status).toBe(422);
  });

  it("uses credentials against registries, right and wrong, without logging them", async () => {
    const basic = (await charthouse.api<{ items: { id: string; name: string }[] }>("GET", "/credentials")).body.items.find((c) => c.name === "basic")!;
    const token = (await charthouse.api<{ items: { id: string; name: string }[] }>("GET", "/credentials")).body.items.find((c) => c.name === "token")!;
    const wrong = await createCredential({ name: "wrong", kind: "basic", username: "reader", password: `wrong-Passw0rd-${unique}` });

    const made = async (name: string, url: string, credentialId: string): Promise<string> => {
      const created = await charthouse.api<RegistryJson>("POST", "/registries", { name, url, credential_id: credentialId });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id;
    };
    const right = await made("guarded-right", guarded.url, basic.id);
    const rejected = await made("guarded-wrong", guarded.url, wrong);
    const bearerRegistry = await made("bearer", open.url, token.id);
    expect((await registrySettled(charthouse, right, "the guarded registry to sync")).status.versions).toBe(1);
    expect((await registrySettled(charthouse, bearerRegistry, "the bearer registry to sync")).status.versions).toBe(1);
    const failed = await registryWhen(charthouse, rejected, (r) => r.status.last_error !== null, "the wrong password to be rejected");
    expect(failed.status.last_error?.code).toBe("credential_rejected");
    // The secrets did travel, to their own registry only.
    const requests = await open.accessLog();
    expect(requests.some((r) => r.authorization)).toBe(true);
  });

  it("shows an API token and an organisation's first token once, and never again", async () => {
    const made = await charthouse.api<{ id: string; token: string }>("POST", "/tokens", { name: "ci", scopes: ["read"] });
    expect(made.status).toBe(201);
    const used = await fetch(`${charthouse.apiUrl}/api/v1/registries`, { headers: { authorization: `Bearer ${made.body.token}` } });
    expect(used.status).toBe(200);
    expect((await charthouse.api("GET", "/tokens")).status).toBe(200);
    expect((await charthouse.api("GET", `/tokens/${made.body.id}`)).status).toBe(200);
    const org = await charthouse.api<{ token: { token: string } }>("POST", "/organizations", { name: `tenant-${unique}` });
    expect(org.status).toBe(201);
    const current = await fetch(`${charthouse.apiUrl}/api/v1/organizations/current`, { headers: { authorization: `Bearer ${org.body.token.token}` } });
    expect(current.status).toBe(200);
    expect((await charthouse.api("DELETE", `/tokens/${made.body.id}`)).status).toBe(204);
    const revoked = await fetch(`${charthouse.apiUrl}/api/v1/registries`, { headers: { authorization: `Bearer ${made.body.token}` } });
    expect(revoked.status).toBe(401);
  });

  it("no secret of this run so far is in any service's log or any response body", async () => {
    const dir = runDir();
    expect(dir, "the e2e global setup names the run's folder").toBeDefined();
    const scan = await scanRunForSecrets(dir!);
    expect(scan.secrets).toBeGreaterThanOrEqual(10);
    expect(charthouse.logs().length).toBeGreaterThan(1000);
    expect(scan.findings).toEqual([]);
  });
});
