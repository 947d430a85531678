import { createHmac, randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageJson, ReceiverJson, SyncRunJson } from "@charthouse/api-types";
import { workspaceRoot } from "@charthouse/stack";
import {
  acrPush,
  cloudEventImageUpdated,
  dockerHubPush,
  freePort,
  githubRegistryPackagePublished,
  harborArtifactPush,
  makeChart,
  makeTempDir,
  pushChart,
  removeTempDir,
  startDockerRegistry,
  waitFor,
  type DockerRegistry,
} from "@charthouse/testing";
import { registryWhen, versionSettled } from "./support/api_waits.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { recordSecret } from "./support/secret_ledger.ts";

// docker-registry (distribution) with its `notifications` endpoint pointed at a Charthouse
// receiver, pasted from the receiver's own snippet: a `helm push` makes the new version ready
// through a push-triggered sync while the registry's interval is an hour. The time from push to
// ready is written to .cache/test-results/receivers.json. Then the other senders' documented
// payloads, a wrong signature, a replayed delivery and another repository's event.

let charthouse: CharthouseUnderTest;
let registry: DockerRegistry | undefined;
let storage: string;
let port: number;
let registryId: string;

/** Creates a receiver outside the recorded API calls (its 201 shows the secret), and records the secret for the end-of-run scan. */
async function createReceiver(kind: string, name: string): Promise<ReceiverJson> {
  const res = await fetch(`${charthouse.apiUrl}/api/v1/receivers`, {
    method: "POST",
    headers: { authorization: `Bearer ${charthouse.token}`, "content-type": "application/json" },
    body: JSON.stringify({ name, kind, registry_id: registryId }),
  });
  expect(res.status).toBe(201);
  const receiver = (await res.json()) as ReceiverJson;
  recordSecret(`receiver secret (${kind})`, receiver.secret ?? "");
  return receiver;
}

async function push(version: string): Promise<void> {
  const archive = await makeChart(await makeTempDir("receiver-chart"), { name: "web", version });
  await pushChart(archive, `127.0.0.1:${port}/ns`);
}

async function syncRuns(): Promise<SyncRunJson[]> {
  return (await charthouse.api<PageJson<SyncRunJson>>("GET", `/registries/${registryId}/syncs?limit=500`)).body.items;
}

/** Waits for a sync run to finish and returns it. */
async function finished(syncId: string): Promise<SyncRunJson> {
  return await waitFor(async () => (await syncRuns()).find((run) => run.id === syncId && run.finished_at !== null) ?? false, {
    what: `sync ${syncId} to finish`,
    timeoutMs: 60_000,
    intervalMs: 100,
  });
}

beforeAll(async () => {
  storage = await makeTempDir("receiver-registry");
  port = await freePort();
  registry = await startDockerRegistry({ port, storageDir: storage });
  await push("1.0.0");
  charthouse = await startCharthouse();
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: "pushed", url: `oci://127.0.0.1:${port}/ns`, sync_interval_seconds: 3600 });
  expect(created.status).toBe(201);
  registryId = created.body.id;
  await registryWhen(charthouse, registryId, (r) => r.status.versions === 1 && r.status.versions_pending === 0 && r.status.state === "ok", "web 1.0.0 to be ready");
});

afterAll(async () => {
  await charthouse?.stop();
  await registry?.stop();
  await removeTempDir(storage);
});

describe("receivers: registries' push events trigger a sync at once", () => {
  it("docker-registry notifications: helm push of a new version makes it ready without waiting for the 1-hour interval", async () => {
    const receiver = await createReceiver("distribution", "docker-registry");
    // The registry, started again on its storage with the snippet pasted into its config.
    await registry?.stop();
    registry = undefined;
    registry = await startDockerRegistry({ port, storageDir: storage, extraConfig: receiver.snippet.content });

    const pushedAt = Date.now();
    await push("1.1.0");
    const version = await versionSettled(charthouse, registryId, "web", "1.1.0", 60_000);
    const pushToReadyMs = Date.now() - pushedAt;
    expect(version.state).toBe("ready");
    const pushRuns = (await syncRuns()).filter((run) => run.trigger === "push");
    expect(pushRuns.some((run) => run.versions_added === 1 && run.outcome === "updated")).toBe(true);
    // Polling stays on as the safety net, its interval untouched.
    const shownRegistry = (await charthouse.api<{ sync_interval_seconds: number; status: { next_sync_at: string | null } }>("GET", `/registries/${registryId}`)).body;
    expect(shownRegistry.sync_interval_seconds).toBe(3600);
    expect(shownRegistry.status.next_sync_at).not.toBeNull();

    const folder = join(workspaceRoot, ".cache", "test-results");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "receivers.json"), `${JSON.stringify({ sender: "docker-registry 2.8 notifications", pushToReadyMs }, null, 2)}\n`);
    console.log(`receivers: helm push to ready through docker-registry notifications took ${pushToReadyMs} ms`);

    const shown = await charthouse.api<ReceiverJson>("GET", `/receivers/${receiver.id}`);
    expect(JSON.stringify(shown.body)).not.toContain(receiver.secret);
  });

  it("the other senders' documented payloads trigger a push sync of the repository; a wrong signature, a replay and another repository do not", async () => {
    // docker-registry sends more than one event per helm push: the later ones join the first
    // push's run and make the registry due again. Let that follow-up end before counting.
    await waitFor(
      async () => {
        const { status } = (await charthouse.api<{ status: { state: string; next_sync_at: string | null } }>("GET", `/registries/${registryId}`)).body;
        const idle = status.state === "ok" && status.next_sync_at !== null && new Date(status.next_sync_at).getTime() > Date.now() + 50 * 60_000;
        return idle && (await syncRuns()).every((run) => run.finished_at !== null);
      },
      { what: "the registry to have no sync under way or due", timeoutMs: 60_000, intervalMs: 200 },
    );
    const senders = [
      { kind: "harbor", body: harborArtifactPush("ns", "web", "1.1.0"), path: "" },
      { kind: "dockerhub", body: dockerHubPush("ns/web", "1.1.0"), path: "secret" },
      { kind: "acr", body: acrPush("ns/web", "1.1.0"), path: "" },
      { kind: "cloudevents", body: cloudEventImageUpdated("ns/web", "1.1.0"), path: "" },
    ];
    for (const sender of senders) {
      const receiver = await createReceiver(sender.kind, `${sender.kind}-sample`);
      const url = sender.path === "secret" ? `${receiver.url}/${receiver.secret ?? ""}` : receiver.url;
      const headers = { "content-type": "application/json", ...(sender.path === "secret" ? {} : { authorization: `Bearer ${receiver.secret ?? ""}` }) };
      const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(sender.body) });
      const answer = (await res.json()) as { ignored: boolean; sync_id: string; repository: string };
      expect(res.status, sender.kind).toBe(202);
      expect(answer, sender.kind).toMatchObject({ ignored: false, repository: "ns/web" });
      const run = await finished(answer.sync_id);
      expect(run, sender.kind).toMatchObject({ trigger: "push", outcome: "unchanged" });
    }

    const github = await createReceiver("github", "github-sample");
    const raw = JSON.stringify(githubRegistryPackagePublished("ns", "web", "1.1.0"));
    const send = async (signingKey: string, delivery: string): Promise<Response> =>
      await fetch(github.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "registry_package",
          "x-github-delivery": delivery,
          "x-hub-signature-256": `sha256=${createHmac("sha256", signingKey).update(raw).digest("hex")}`,
        },
        body: raw,
      });
    const pushRuns = async (): Promise<number> => (await syncRuns()).filter((run) => run.trigger === "push").length;
    const before = await pushRuns();
    expect((await send("not-the-secret", randomUUID())).status).toBe(401);
    const delivery = randomUUID();
    const first = await send(github.secret ?? "", delivery);
    expect(first.status).toBe(202);
    await finished(((await first.json()) as { sync_id: string }).sync_id);
    expect((await send(github.secret ?? "", delivery)).status).toBe(409);

    const cloud = await createReceiver("cloudevents", "elsewhere");
    const elsewhere = await fetch(cloud.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${cloud.secret ?? ""}` },
      body: JSON.stringify(cloudEventImageUpdated("other/web", "9.9.9")),
    });
    expect(elsewhere.status).toBe(202);
    expect(await elsewhere.json()).toEqual({ ignored: true, reason: 'the event is for repository other/web, not in "ns"' });
    // Only the one signed, first delivery made a sync.
    expect(await pushRuns()).toBe(before + 1);

    const metrics = await (await fetch(`${charthouse.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/charthouse_receiver_events_total\{kind="github",outcome="unauthorized"[^}]*\} 1/);
    expect(metrics).toMatch(/charthouse_receiver_events_total\{kind="github",outcome="replayed"[^}]*\} 1/);
    expect(metrics).toMatch(/charthouse_receiver_events_total\{kind="distribution",outcome="synced"[^}]*\} [1-9]/);
    expect(charthouse.logs()).toContain("Receiver event refused: replayed GitHub delivery");
  });
});
