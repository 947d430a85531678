import { mkdir, writeFile, copyFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, startNginx, startStallingServer, waitFor, type NginxServer, type StallingServer } from "@charthouse/testing";
import { errorCodes } from "@charthouse/errors";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";

interface Registry {
  id: string;
  status: {
    state: string;
    versions: number;
    versions_pending: number;
    last_outcome: string | null;
    last_error: { code: string; message: string; cause: string | null; solution: string } | null;
  };
}

const dataDir = new URL("../../shared/data/", import.meta.url).pathname;

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let healthy: NginxServer;
let guarded: NginxServer;
let broken: NginxServer;
let flaky: NginxServer;
let stalling: StallingServer;

async function addRegistry(name: string, url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await charthouse.api<Registry>("POST", "/registries", { name, url, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

async function registryError(id: string): Promise<NonNullable<Registry["status"]["last_error"]>> {
  return await waitFor(
    async () => (await charthouse.api<Registry>("GET", `/registries/${id}`)).body.status.last_error ?? false,
    { what: `an error on registry ${id}`, timeoutMs: 30_000, intervalMs: 200 },
  );
}

async function readyVersions(id: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const { status } = (await charthouse.api<Registry>("GET", `/registries/${id}`)).body;
      return status.versions === count && status.versions_pending === 0 && status.state === "ok";
    },
    { what: `${count} ready versions on registry ${id}`, timeoutMs: 60_000, intervalMs: 200 },
  );
}

beforeAll(async () => {
  repository = await makeChartRepository([{ name: "app", version: "1.0.0", values: "a: 1\n" }]);
  healthy = await startNginx({ root: repository.root });
  guarded = await startNginx({ root: repository.root, basicAuth: { username: "reader", password: "right-password" } });

  // One server for what a misconfigured repository answers.
  const brokenRoot = await makeTempDir("charthouse-broken-");
  for (const [folder, body] of Object.entries({
    html: "<!DOCTYPE html><html><head><title>Harbor</title></head><body>Sign in</body></html>",
    "bad-yaml": "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: [1.0\n",
    empty: "apiVersion: v1\nentries: {}\ngenerated: 2026-01-01T00:00:00Z\n",
  })) {
    await mkdir(join(brokenRoot, folder));
    await writeFile(join(brokenRoot, folder, "index.yaml"), body);
  }
  await mkdir(join(brokenRoot, "large"));
  await copyFile(join(dataDir, "indexes/aws-eks-charts.index.yaml"), join(brokenRoot, "large/index.yaml"));
  broken = await startNginx({ root: brokenRoot });

  // A host that fails with 503 and asks to come back in a second.
  flaky = await startNginx({
    root: brokenRoot,
    extraConfig: 'location = /down/index.yaml { add_header Retry-After 1 always; return 503 "maintenance"; }',
  });
  stalling = await startStallingServer({ mode: "silent" });

  charthouse = await startCharthouse({
    env: {
      CHARTHOUSE_REQUEST_TIMEOUT_MS: "1500",
      CHARTHOUSE_MAX_INDEX_BYTES: "200000",
      CHARTHOUSE_GIVE_UP_AFTER_SECONDS: "3",
    },
  });
});

afterAll(async () => {
  await charthouse?.stop();
  for (const server of [healthy, guarded, broken, flaky, stalling]) await server?.stop();
});

describe("a registry that cannot be synced shows the troubleshooting table's code and solution", () => {
  it.each([
    ["not_found", () => `${healthy.url}/no/such/repository`],
    ["unauthorized", () => guarded.url],
    ["not_a_helm_repository", () => `${broken.url}/html`],
    ["invalid_index", () => `${broken.url}/bad-yaml`],
    ["too_large", () => `${broken.url}/large`],
    ["timeout", () => stalling.url],
  ] as const)("%s", async (code, url) => {
    const id = await addRegistry(`error-${code}`, url());
    const error = await registryError(id);
    expect(error.code).toBe(code);
    if (code !== "too_large") expect(error.solution).toBe(errorCodes[code].solution);
    expect(error.message.length).toBeGreaterThan(10);
    if (code === "too_large") expect(error.message + error.solution).toContain("CHARTHOUSE_MAX_INDEX_BYTES");
    if (code === "invalid_index") expect(error.message).toMatch(/line \d+/);
  });

  it("invalid_index for an index that lists no charts, and the catalogue it had is kept", async () => {
    const id = await addRegistry("empty-index", `${broken.url}/empty`);
    const error = await registryError(id);
    expect(error.code).toBe("invalid_index");
    expect(error.message).toContain("lists no chart versions");
    expect(error.solution).toBe(errorCodes.invalid_index.solution);
  });

  it("credential_rejected for a wrong password, and a sync with the right one", async () => {
    const wrong = await charthouse.api<{ id: string }>("POST", "/credentials", {
      name: "wrong",
      kind: "basic",
      username: "reader",
      password: "wrong-password",
    });
    expect(wrong.status).toBe(201);
    const rejected = await addRegistry("guarded-wrong", guarded.url, { credential_id: wrong.body.id });
    expect((await registryError(rejected)).code).toBe("credential_rejected");

    const right = await charthouse.api<{ id: string }>("POST", "/credentials", {
      name: "right",
      kind: "basic",
      username: "reader",
      password: "right-password",
    });
    const accepted = await addRegistry("guarded-right", guarded.url, { credential_id: right.body.id });
    await readyVersions(accepted, 1);
    const requests = await guarded.accessLog();
    expect(requests.some((r) => r.path === "/app-1.0.0.tgz" && r.status === 200 && r.authorization)).toBe(true);
  });

  it("retries a 503 with backoff, honouring Retry-After, then reports registry_error", async () => {
    const id = await addRegistry("flaky", `${flaky.url}/down`);
    const run = await waitFor(
      async () => {
        const runs = (await charthouse.api<{ items: { attempts: number; outcome: string | null; error: { code: string } | null }[] }>(
          "GET",
          `/registries/${id}/syncs`,
        )).body.items;
        return runs[0]?.outcome === "failed" ? runs[0] : false;
      },
      { what: "the flaky sync to give up", timeoutMs: 60_000, intervalMs: 250 },
    );
    // Given up by time (CHARTHOUSE_GIVE_UP_AFTER_SECONDS=3) after retrying at least once, each
    // retry after the host's Retry-After of a second: a handful of attempts, each one a request.
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    expect(run.attempts).toBeLessThanOrEqual(4);
    expect(run.error?.code).toBe("registry_error");
    const requests = (await flaky.accessLog()).filter((r) => r.path === "/down/index.yaml");
    expect(requests).toHaveLength(run.attempts);
  });

  it("never writes a secret to any service's log", () => {
    const logs = charthouse.logs();
    expect(logs.length).toBeGreaterThan(1000);
    for (const secret of ["right-password", "wrong-password", charthouse.token, charthouse.secretKey]) {
      expect(logs.includes(secret), `a log line contains ${secret.slice(0, 4)}…`).toBe(false);
    }
    // Nor its Basic encoding, which is what travels to the registry.
    expect(logs).not.toContain(Buffer.from("reader:right-password").toString("base64"));
  });

  it("keeps other registries syncing meanwhile", async () => {
    const id = await addRegistry("healthy", healthy.url);
    await readyVersions(id, 1);
    await repository.add({ name: "app", version: "1.1.0", values: "a: 2\n" });
    const sync = await charthouse.api<{ sync_id: string }>("POST", `/registries/${id}/sync`);
    expect(sync.status).toBe(202);
    await readyVersions(id, 2);
  });
});
