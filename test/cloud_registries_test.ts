// Cloud registry credentials through the whole stack: Amazon ECR (aws), Google Artifact Registry
// (gcp_service_account) and Azure ACR (azure_service_principal), each signed in by the services
// with the provider's own library against a local fake that speaks the provider's protocol, and
// used at a real docker-registry with token auth whose token service takes only the short-lived
// logins the provider issued.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { cloudLoginSeconds, startCloudRegistryPeers, type CloudFlow, type CloudRegistryPeers } from "./support/cloud_registry_peers.ts";
import { getVersion, registryWhen, syncNow, versionSettled } from "./support/api_waits.ts";
import { recordSecret } from "./support/secret_ledger.ts";

let peers: CloudRegistryPeers;
let charthouse: CharthouseUnderTest;

beforeAll(async () => {
  peers = await startCloudRegistryPeers();
  for (const flow of peers.flows) await flow.push("1.0.0");
  charthouse = await startCharthouse({ env: peers.env });
});

afterAll(async () => {
  // Every login the providers issued is a secret too: no log line or response may hold one.
  for (const { label, value } of peers?.issuedSecrets() ?? []) recordSecret(label, value);
  await charthouse?.stop();
  await peers?.stop();
});

/** Creates a credential through the API; returns its id. */
async function createCredential(body: Record<string, unknown>): Promise<string> {
  const created = await charthouse.api<{ id: string }>("POST", "/credentials", body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Adds an OCI registry with a credential; returns its id. */
async function addRegistry(name: string, url: string, credentialId: string): Promise<string> {
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name, url, credential_id: credentialId });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

describe.each(["Amazon ECR", "Google", "Microsoft Entra ID"] as const)("a cloud registry signed in through %s", (provider) => {
  const flow = (): CloudFlow => {
    const found = peers.flows.find((f) => f.provider === provider);
    if (found === undefined) throw new Error(`no flow for ${provider}`);
    return found;
  };
  const slug = provider.toLowerCase().replace(/[^a-z]+/g, "-");
  let registryId: string | undefined;

  it("brings a chart pushed with helm to ready with a login the provider issued", async () => {
    const before = flow().exchanges();
    const credential = await createCredential(flow().credentialBody(`${slug}-right`, "right"));
    registryId = await addRegistry(`${slug}-right`, flow().repositoryUrl, credential);
    const ready = await registryWhen(charthouse, registryId, (r) => r.status.versions === 1 && r.status.versions_pending === 0, `${flow().chart} to be ready`);
    expect(ready.status.last_outcome, JSON.stringify(ready.status.last_error)).toBe("updated");
    expect((await getVersion(charthouse, registryId, flow().chart, "1.0.0")).state).toBe("ready");
    expect(flow().exchanges()).toBeGreaterThan(before);
    expect(flow().newestLoginUsed()).toBe(true);
  });

  it("signs in again once the short-lived login expired, and a later sync succeeds", async () => {
    if (registryId === undefined) throw new Error("the registry of the previous test was not created");
    // Poll until every login Charthouse holds has expired (a few seconds: cloudLoginSeconds).
    await waitFor(() => Date.now() > flow().loginsExpireAt(), {
      what: `the ${cloudLoginSeconds} s logins of ${provider} to expire`,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    // The registry's token service really refuses the first login now: only a new one can work.
    expect(await flow().firstLoginStatus()).toBe(401);
    await flow().push("1.1.0");
    const before = flow().exchanges();
    const run = await syncNow(charthouse, registryId);
    expect(run.outcome, JSON.stringify(run.error)).toBe("updated");
    expect(run.versions_added).toBe(1);
    expect((await versionSettled(charthouse, registryId, flow().chart, "1.1.0")).state).toBe("ready");
    expect(flow().exchanges()).toBeGreaterThan(before);
    expect(flow().newestLoginUsed()).toBe(true);
  });

  it("ends the sync `credential_rejected`, naming the provider, when the secret is wrong", async () => {
    const credential = await createCredential(flow().credentialBody(`${slug}-wrong`, "wrong"));
    const id = await addRegistry(`${slug}-wrong`, flow().repositoryUrl, credential);
    const failed = await registryWhen(charthouse, id, (r) => r.status.last_outcome === "failed", "the sync to fail");
    expect(failed.status.last_error?.code).toBe("credential_rejected");
    expect(failed.status.last_error?.message).toContain(`${provider} refused`);
    expect(failed.status.last_error?.message).toContain(credential);
    expect(failed.status.versions).toBe(0);
  });
});
