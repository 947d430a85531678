import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streams } from "@charthouse/contracts";
import { createLogger } from "@charthouse/logging";
import { DeadLetterStream, Publisher } from "@charthouse/messaging";
import { startServiceHttp, type ServiceHttp } from "@charthouse/service-runtime";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { mountApi } from "./app.ts";
import { hashToken } from "./auth.ts";
import { ensureApiToken } from "./bootstrap.ts";
import type { DeadLetterJson } from "./queries/dead_letter_queries.ts";
import type { ReplayOutcome } from "./dead_letter_replay.ts";

interface ReplayJson {
  replayed: number;
  skipped: number;
  items: ReplayOutcome[];
  next_cursor: string | null;
}

let env: ApiTestEnv;
let http: ServiceHttp;
let deadLetters: DeadLetterStream;
const tokens = { otherAdmin: "", writer: "" };
const fixture = { registryId: "", otherRegistryId: "", failedId: "", readyId: "", legacyId: "" };
const goneRegistryId = randomUUID();

/** Calls the API that serves the admin routes (env's own server is mounted without the dead-letter stream). */
async function call(path: string, init: { method?: string; token?: string | null; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers();
  const token = init.token === undefined ? env.orgA.token : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  return await fetch(`http://127.0.0.1:${http.port}/api/v1${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
  });
}

async function okJson<T>(res: Response, status = 200): Promise<T> {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
}

/** Publishes a dead letter as the consumer loop writes one; returns its id. */
async function deadLetter(subject: string, payload: unknown, code = "connection_failed", raw?: string): Promise<number> {
  const record = raw ?? JSON.stringify({
    subject,
    msgId: `msg-${randomBytes(4).toString("hex")}`,
    data: JSON.stringify(payload),
    error: { code, message: `Cannot reach the host (${code})`, cause: "ECONNREFUSED", solution: "Check connectivity" },
    deliveries: 6,
    firstPublishedAt: "2026-11-30T09:00:00.000Z",
    deadLetteredAt: "2026-11-30T10:00:00.000Z",
  });
  return (await env.nats.jetstream().publish(`deadletter.${subject}`, new TextEncoder().encode(record))).seq;
}

async function insertVersion(registryId: string, chartId: string, version: string, state: string, downloadUrl: string | null): Promise<string> {
  const [row] = await env.sql.query<{ id: string }>(`INSERT INTO chart_versions (chart_id, registry_id, version, state, error, attempts, download_url)
     VALUES ($1, $2, $3, $4, $5, 6, $6) RETURNING id`,
    [chartId, registryId, version, state, state === "failed" ? JSON.stringify({ code: "connection_failed", message: "down", cause: null, solution: "x" }) : null, downloadUrl],
  );
  return row!.id;
}

/** The messages a stream holds on a subject now (the ones the replay published). */
async function published(stream: string, subject: string): Promise<Record<string, unknown>[]> {
  const jsm = await env.nats.jetstreamManager();
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  const out: Record<string, unknown>[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg?.subject === subject) out.push(msg.json<Record<string, unknown>>());
  }
  return out;
}

beforeAll(async () => {
  env = await startApiTestEnv();
  deadLetters = await DeadLetterStream.open(env.nats);
  const log = createLogger("admin-routes-test", { level: "silent" });
  const context = { db: env.db, publisher: new Publisher(env.nats.jetstream()), archives: env.archives, log, secretBox: null };
  http = await startServiceHttp({ service: "registry-api", port: 0, log, readiness: {}, mount: (app) => mountApi(app, context, { deadLetters }) });

  tokens.otherAdmin = `adm_b_${randomBytes(12).toString("hex")}`;
  await ensureApiToken(env.db, env.orgB.id, { name: "b admin", value: tokens.otherAdmin, scopes: ["read", "write", "admin"] });
  tokens.writer = `wr_a_${randomBytes(12).toString("hex")}`;
  await env.sql.query("INSERT INTO api_tokens (organization_id, name, token_hash, scopes) VALUES ($1, 'writer', $2, $3)", [
    env.orgA.id,
    hashToken(tokens.writer),
    ["read", "write"],
  ]);

  // Two registries of organisation A (no automatic sync); their first syncs ended, so a replayed sync is a new one.
  for (const key of ["registryId", "otherRegistryId"] as const) {
    const res = await env.call("/api/v1/registries", { method: "POST", json: { name: `dl-${key}`, url: `https://${key.toLowerCase()}.example.com`, sync_interval_seconds: 0 } });
    fixture[key] = ((await okJson<{ id: string }>(res, 201)).id);
  }
  await env.sql.query("UPDATE sync_runs SET finished_at = now(), outcome = 'failed' WHERE finished_at IS NULL");
  await env.sql.query("UPDATE registries SET active_sync_id = NULL");
  const [chart] = await env.sql.query<{ id: string }>("INSERT INTO charts (registry_id, name, versions) VALUES ($1, 'app', 3) RETURNING id", [fixture.registryId]);
  fixture.failedId = await insertVersion(fixture.registryId, chart!.id, "1.0.0", "failed", "https://registryid.example.com/app-1.0.0.tgz");
  fixture.readyId = await insertVersion(fixture.registryId, chart!.id, "2.0.0", "ready", "https://registryid.example.com/app-2.0.0.tgz");
  fixture.legacyId = await insertVersion(fixture.registryId, chart!.id, "3.0.0", "failed", null);
}, 60_000);

afterAll(async () => {
  await http?.close();
  await env?.close();
});

const download = (versionId: string, version: string, registryId = fixture.registryId): Record<string, unknown> => ({
  registryId,
  versionId,
  chart: "app",
  version,
  url: `https://registryid.example.com/app-${version}.tgz`,
  expectedDigest: null,
});

describe("GET /admin/dead-letters", () => {
  let ids: number[] = [];
  beforeAll(async () => {
    ids = [
      await deadLetter("chart.download.requested.v1", download(fixture.failedId, "1.0.0")),
      await deadLetter("chart.downloaded.v1", { registryId: fixture.otherRegistryId, versionId: randomUUID(), archiveSha256: "a".repeat(64), size: 1 }, "unavailable"),
      await deadLetter("sync.requested.http.v1", { registryId: fixture.otherRegistryId, syncRunId: randomUUID(), trigger: "schedule", requestedAt: "2026-11-30T09:00:00Z" }, "timeout"),
    ];
  });

  it("lists each dead letter with its subject, what it concerns, its last error, deliveries and times, never its raw payload", async () => {
    const page = await okJson<{ items: DeadLetterJson[]; next_cursor: string | null }>(await call("/admin/dead-letters"));
    expect(page.next_cursor).toBeNull();
    expect(page.items.map((d) => d.id)).toEqual(ids);
    expect(page.items[0]).toEqual({
      id: ids[0],
      subject: "chart.download.requested.v1",
      msg_id: expect.stringMatching(/^msg-/),
      concerns: { registry_id: fixture.registryId, version_id: fixture.failedId, chart: "app", version: "1.0.0", sync_run_id: null },
      error: { code: "connection_failed", message: "Cannot reach the host (connection_failed)", cause: "ECONNREFUSED", solution: "Check connectivity" },
      deliveries: 6,
      first_published_at: "2026-11-30T09:00:00.000Z",
      dead_lettered_at: "2026-11-30T10:00:00.000Z",
    });
    expect(JSON.stringify(page)).not.toContain("app-1.0.0.tgz");
    expect(page.items[2]!.concerns).toMatchObject({ registry_id: fixture.otherRegistryId, sync_run_id: expect.any(String), version_id: null });
  });

  it("pages with next_cursor, and filters by subject, registry_id and code", async () => {
    const first = await okJson<{ items: DeadLetterJson[]; next_cursor: string | null }>(await call("/admin/dead-letters?limit=2"));
    expect(first.items.map((d) => d.id)).toEqual(ids.slice(0, 2));
    const second = await okJson<{ items: DeadLetterJson[]; next_cursor: string | null }>(
      await call(`/admin/dead-letters?limit=2&cursor=${encodeURIComponent(first.next_cursor!)}`),
    );
    expect(second.items.map((d) => d.id)).toEqual(ids.slice(2));
    expect(second.next_cursor).toBeNull();

    const list = async (query: string): Promise<number[]> =>
      (await okJson<{ items: DeadLetterJson[] }>(await call(`/admin/dead-letters?${query}`))).items.map((d) => d.id);
    expect(await list("subject=chart.downloaded.v1")).toEqual([ids[1]]);
    expect(await list(`registry_id=${fixture.otherRegistryId}`)).toEqual(ids.slice(1));
    expect(await list("code=timeout")).toEqual([ids[2]]);
    expect(await list(`registry_id=${fixture.otherRegistryId}&code=unavailable`)).toEqual([ids[1]]);
    expect(await list("subject=sync.requested.oci.v1")).toEqual([]);
  });

  it("answers 422 for a bad filter, limit or cursor", async () => {
    for (const query of ["subject=chart.%3E", "registry_id=nope", "code=Not%20a%20code", "limit=501", "cursor=forged"]) {
      const res = await call(`/admin/dead-letters?${query}`);
      expect(res.status, query).toBe(422);
      expect(await res.json()).toMatchObject({ code: "invalid_input" });
    }
  });
});

describe("only the operator reaches the dead letters", () => {
  const routes = [
    { method: "GET", path: "/admin/dead-letters" },
    { method: "POST", path: "/admin/dead-letters/1/replay" },
    { method: "POST", path: "/admin/dead-letters/replay", json: {} },
  ];

  it("another organisation's admin token: 403 forbidden, as POST /organizations answers it", async () => {
    for (const route of routes) {
      const res = await call(route.path, { method: route.method, token: tokens.otherAdmin, json: route.json });
      expect(res.status, route.path).toBe(403);
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe("forbidden");
      expect(body.detail).toContain('admin token of the "default" organisation');
    }
    const organizations = await call("/organizations", { method: "POST", token: tokens.otherAdmin, json: { name: "x" } });
    expect(organizations.status).toBe(403);
  });

  it("the operator's organisation without admin scope: 403; no token: 401", async () => {
    for (const route of routes) {
      const res = await call(route.path, { method: route.method, token: tokens.writer, json: route.json });
      expect(res.status, route.path).toBe(403);
      expect(await res.json()).toMatchObject({ code: "forbidden" });
      expect((await call(route.path, { method: route.method, token: null, json: route.json })).status).toBe(401);
    }
  });
});

describe("POST /admin/dead-letters/{id}/replay", () => {
  it("re-opens a failed version and queues its download again under a new round; the dead letter leaves the stream", async () => {
    const id = await deadLetter("chart.download.requested.v1", download(fixture.failedId, "1.0.0"));
    const body = await okJson<ReplayJson>(await call(`/admin/dead-letters/${id}/replay`, { method: "POST" }));
    expect(body).toEqual({
      replayed: 1,
      skipped: 0,
      items: [{ id, subject: "chart.download.requested.v1", outcome: "replayed", reason: null, removed: true }],
      next_cursor: null,
    });
    const [row] = await env.sql.query<{ state: string; requeues: number; attempts: number }>("SELECT state, requeues, attempts FROM chart_versions WHERE id = $1",
      [fixture.failedId],
    );
    expect(row).toEqual({ state: "discovered", requeues: 1, attempts: 0 });
    const requests = await published(streams.DOWNLOADS.name, "chart.download.requested.v1");
    expect(requests.filter((r) => r["versionId"] === fixture.failedId)).toEqual([
      expect.objectContaining({ url: "https://registryid.example.com/app-1.0.0.tgz", round: 1 }),
    ]);
    expect(await deadLetters.get(id)).toBeNull();
    expect((await call(`/admin/dead-letters/${id}/replay`, { method: "POST" })).status).toBe(404);
  });

  it("downloads a version without a recorded URL from its dead letter's own URL", async () => {
    const id = await deadLetter("chart.download.requested.v1", download(fixture.legacyId, "3.0.0"));
    const body = await okJson<ReplayJson>(await call(`/admin/dead-letters/${id}/replay`, { method: "POST" }));
    expect(body.replayed).toBe(1);
    const requests = await published(streams.DOWNLOADS.name, "chart.download.requested.v1");
    expect(requests.filter((r) => r["versionId"] === fixture.legacyId)).toEqual([
      expect.objectContaining({ url: "https://registryid.example.com/app-3.0.0.tgz", round: 1 }),
    ]);
  });

  it("skips, and says why, a version already ready, one that is gone, and a dead letter that cannot be read", async () => {
    const ready = await deadLetter("chart.downloaded.v1", { registryId: fixture.registryId, versionId: fixture.readyId, archiveSha256: "b".repeat(64), size: 1 });
    const gone = await deadLetter("chart.download.requested.v1", download(randomUUID(), "9.9.9", goneRegistryId));
    const unreadable = await deadLetter("chart.downloaded.v1", null, "internal", "this is not a record");
    const outcome = async (id: number): Promise<ReplayJson> => await okJson<ReplayJson>(await call(`/admin/dead-letters/${id}/replay`, { method: "POST" }));

    expect((await outcome(ready)).items[0]).toMatchObject({ outcome: "skipped", reason: { code: "settled", message: expect.stringContaining("ready") }, removed: true });
    expect((await outcome(gone)).items[0]).toMatchObject({ outcome: "skipped", reason: { code: "gone" }, removed: true });
    const kept = await outcome(unreadable);
    expect(kept).toMatchObject({ replayed: 0, skipped: 1, items: [{ outcome: "skipped", reason: { code: "unreadable" }, removed: false }] });
    expect(await deadLetters.get(ready)).toBeNull();
    expect(await deadLetters.get(gone)).toBeNull();
    expect(await deadLetters.get(unreadable)).not.toBeNull();
    const [state] = await env.sql.query<{ state: string }>("SELECT state FROM chart_versions WHERE id = $1", [fixture.readyId]);
    expect(state?.state).toBe("ready");
    await deadLetters.remove(unreadable);
  });

  it("answers 404 for an id that names no dead letter", async () => {
    for (const id of ["999999", "0", "abc", "1e3"]) {
      const res = await call(`/admin/dead-letters/${id}/replay`, { method: "POST" });
      expect(res.status, id).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
  });
});

describe("POST /admin/dead-letters/replay", () => {
  it("replays every dead letter matching the filter, once per registry for syncs, and leaves the others", async () => {
    // Clear what earlier tests left, then: two given-up syncs of one registry, one of a deleted registry, a download elsewhere.
    for (const d of (await deadLetters.page({ after: 0, limit: 500 })).items) await deadLetters.remove(d.seq);
    const sync = (registryId: string): Record<string, unknown> => ({ registryId, syncRunId: randomUUID(), trigger: "schedule", requestedAt: "2026-11-30T09:00:00Z" });
    const syncs = [await deadLetter("sync.requested.http.v1", sync(fixture.otherRegistryId)), await deadLetter("sync.requested.http.v1", sync(fixture.otherRegistryId))];
    const goneSync = await deadLetter("sync.requested.http.v1", sync(goneRegistryId));
    const other = await deadLetter("chart.download.requested.v1", download(fixture.failedId, "1.0.0"), "timeout");

    const before = await env.sql.query<{ id: string }>("SELECT id FROM sync_runs WHERE registry_id = $1", [fixture.otherRegistryId]);
    const body = await okJson<ReplayJson>(await call("/admin/dead-letters/replay", { method: "POST", json: { subject: "sync.requested.http.v1" } }));
    expect(body).toMatchObject({ replayed: 2, skipped: 1, next_cursor: null });
    expect(body.items.map((i) => [i.id, i.outcome])).toEqual([[syncs[0], "replayed"], [syncs[1], "replayed"], [goneSync, "skipped"]]);
    expect(body.items[2]!.reason).toEqual({ code: "gone", message: `Registry ${goneRegistryId} no longer exists` });

    const runs = await env.sql.query<{ id: string; trigger: string }>("SELECT id, trigger FROM sync_runs WHERE registry_id = $1 AND finished_at IS NULL", [
      fixture.otherRegistryId,
    ]);
    expect(runs).toEqual([{ id: expect.any(String), trigger: "manual" }]);
    expect(before.map((r) => r.id)).not.toContain(runs[0]!.id);
    const requests = await published(streams.SYNC.name, "sync.requested.http.v1");
    expect(requests.filter((r) => r["syncRunId"] === runs[0]!.id)).toHaveLength(1);

    const left = (await deadLetters.page({ after: 0, limit: 500 })).items.map((d) => d.seq);
    expect(left).toEqual([other]);
  });

  it("refuses a bad filter or a body that is not an object, and replays nothing", async () => {
    const res = await call("/admin/dead-letters/replay", { method: "POST", json: { registry_id: "x", code: 3 } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(["code", "registry_id"]);
    expect((await call("/admin/dead-letters/replay", { method: "POST" })).status).toBe(422);
    expect((await deadLetters.page({ after: 0, limit: 500 })).items).toHaveLength(1);
  });
});
