// Dead letters an operator can act on: work given up after CHARTHOUSE_GIVE_UP_AFTER_SECONDS is
// listed by GET /api/v1/admin/dead-letters with what it concerns and its last error, and a replay
// after the registry recovers brings the version to `ready`, or the registry to a new sync.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryJson, SyncRunJson, PageJson } from "@charthouse/api-types";
import { freePort, runHelm, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { getVersion, registryWhen, versionSettled } from "./support/api_waits.ts";

/** A dead letter as the admin list answers it. */
interface DeadLetterJson {
  id: number;
  subject: string;
  concerns: { registry_id: string | null; version_id: string | null; chart: string | null; version: string | null; sync_run_id: string | null };
  error: { code: string; message: string; cause: string | null; solution: string };
  deliveries: number;
  dead_lettered_at: string;
}

interface ReplayJson {
  replayed: number;
  skipped: number;
  items: { id: number; outcome: string; reason: { code: string; message: string } | null; removed: boolean }[];
}

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let indexHost: NginxServer;
const servers: NginxServer[] = [];
/** Where the index says the archives are: nothing listens there until the "archive host" recovers. */
let archivePort: number;

async function addRegistry(name: string, url: string): Promise<string> {
  // No automatic sync: only the replay may start the next one.
  const created = await charthouse.api<RegistryJson>("POST", "/registries", { name, url, sync_interval_seconds: 0 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

/** Polls the admin list (filtered by registry) until a dead letter of `subject` shows up. */
async function deadLetterOf(registryId: string, subject: string): Promise<DeadLetterJson> {
  return await waitFor(
    async () => {
      const { status, body } = await charthouse.api<PageJson<DeadLetterJson>>("GET", `/admin/dead-letters?registry_id=${registryId}&subject=${subject}`);
      expect(status, JSON.stringify(body)).toBe(200);
      return body.items[0] ?? false;
    },
    { what: `a ${subject} dead letter of registry ${registryId}`, timeoutMs: 60_000, intervalMs: 250 },
  );
}

beforeAll(async () => {
  archivePort = await freePort();
  repository = await makeChartRepository([{ name: "given-up", version: "1.0.0", values: "replayed: true\n" }]);
  // The index points at the archive host, which is down for now.
  await runHelm(["repo", "index", repository.root, "--url", `http://127.0.0.1:${archivePort}`]);
  indexHost = await startNginx({ root: repository.root });
  servers.push(indexHost);
  charthouse = await startCharthouse({
    env: {
      // Give up after 3 s of passing failures, retrying every half second meanwhile.
      CHARTHOUSE_GIVE_UP_AFTER_SECONDS: "3",
      CHARTHOUSE_RETRY_MAX_DELAY_MS: "500",
    },
  });
});

afterAll(async () => {
  await charthouse?.stop();
  for (const server of servers) await server.stop();
});

describe("dead letters", () => {
  it("a version that gave up is listed, and replayed once its archive host is back it becomes ready", async () => {
    const registryId = await addRegistry("dead-letter-versions", indexHost.url);
    const failed = await versionSettled(charthouse, registryId, "given-up", "1.0.0", 90_000);
    expect(failed.state, JSON.stringify(failed)).toBe("failed");

    const letter = await deadLetterOf(registryId, "chart.download.requested.v1");
    expect(letter.concerns).toMatchObject({ registry_id: registryId, chart: "given-up", version: "1.0.0", sync_run_id: null });
    expect(letter.concerns.version_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(letter.error.code).toBe(failed.error?.code);
    expect(letter.error.message.length).toBeGreaterThan(10);
    expect(letter.deliveries).toBeGreaterThanOrEqual(1);
    expect(Date.parse(letter.dead_lettered_at)).toBeGreaterThan(Date.now() - 5 * 60_000);

    // The archive host recovers; the version stays failed until the operator replays it.
    servers.push(await startNginx({ root: repository.root, port: archivePort }));
    expect((await getVersion(charthouse, registryId, "given-up", "1.0.0")).state).toBe("failed");
    const replay = await charthouse.api<ReplayJson>("POST", `/admin/dead-letters/${letter.id}/replay`);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({ replayed: 1, skipped: 0, items: [{ id: letter.id, outcome: "replayed", removed: true }] });

    const ready = await versionSettled(charthouse, registryId, "given-up", "1.0.0", 60_000);
    expect(ready.state, JSON.stringify(ready)).toBe("ready");
    expect(ready.error).toBeNull();
    const registry = await registryWhen(charthouse, registryId, (r) => r.status.versions_pending === 0, "no version pending");
    expect(registry.status).toMatchObject({ versions_failed: 0, versions: 1 });
    const after = await charthouse.api<PageJson<DeadLetterJson>>("GET", `/admin/dead-letters?registry_id=${registryId}`);
    expect(after.body.items.map((d) => d.id)).not.toContain(letter.id);
    expect(charthouse.logs()).toContain("Replayed dead letters");
  });

  it("a sync that gave up is listed, and its replay runs a new sync of the registry", async () => {
    const indexPort = await freePort();
    const registryId = await addRegistry("dead-letter-sync", `http://127.0.0.1:${indexPort}`);
    const failed = await registryWhen(charthouse, registryId, (r) => r.status.last_outcome === "failed", "the first sync to give up", 90_000);
    expect(failed.status.last_error).not.toBeNull();
    const letter = await deadLetterOf(registryId, "sync.requested.http.v1");
    expect(letter.concerns.registry_id).toBe(registryId);
    expect(letter.concerns.sync_run_id).toMatch(/^[0-9a-f-]{36}$/);
    const runsBefore = await charthouse.api<PageJson<SyncRunJson>>("GET", `/registries/${registryId}/syncs`);
    expect(runsBefore.body.items.map((r) => r.id)).toContain(letter.concerns.sync_run_id);

    servers.push(await startNginx({ root: repository.root, port: indexPort }));
    const replay = await charthouse.api<ReplayJson>("POST", "/admin/dead-letters/replay", { registry_id: registryId, subject: "sync.requested.http.v1" });
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body).toMatchObject({ replayed: 1, skipped: 0 });

    const synced = await registryWhen(charthouse, registryId, (r) => r.status.last_outcome === "updated" && r.status.versions_pending === 0, "the replayed sync", 60_000);
    // "disabled" only says it has no automatic sync (interval 0): the replayed sync succeeded.
    expect(synced.status).toMatchObject({ state: "disabled", last_outcome: "updated", last_error: null, versions: 1, versions_failed: 0 });
    const runs = await charthouse.api<PageJson<SyncRunJson>>("GET", `/registries/${registryId}/syncs`);
    const newest = runs.body.items[0]!;
    expect(newest.id).not.toBe(letter.concerns.sync_run_id);
    expect(newest).toMatchObject({ trigger: "manual", outcome: "updated" });
    expect((await getVersion(charthouse, registryId, "given-up", "1.0.0")).state).toBe("ready");
  });
});
