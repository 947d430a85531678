import { randomUUID } from "node:crypto";
import { chartVersionDiscovered, chartVersionReady, registrySyncStarted } from "@charthouse/contracts";
import { createLogger } from "@charthouse/logging";
import { Publisher } from "@charthouse/messaging";
import { startServiceHttp, type ServiceHttp } from "@charthouse/service-runtime";
import { waitFor } from "@charthouse/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startApiTestEnv, type ApiTestEnv } from "./api_env_test_support.ts";
import { mountApi } from "./app.ts";
import { EventFeed } from "./events_feed.ts";
import { openEventStream, type EventStreamClient, type ReceivedEvent } from "./events_client_test_support.ts";

const maxClients = 4;
const replayLimit = 50;

let env: ApiTestEnv;
let feed: EventFeed;
let http: ServiceHttp;
let publisher: Publisher;
let eventsUrl: string;
const open: EventStreamClient[] = [];

beforeAll(async () => {
  env = await startApiTestEnv();
  const log = createLogger("registry-api-test", { level: "silent" });
  publisher = new Publisher(env.nats.jetstream());
  feed = await EventFeed.start(env.nats, { log, limits: { maxClients, replayLimit } });
  const context = { db: env.db, publisher, archives: env.archives, log, secretBox: null };
  http = await startServiceHttp({
    service: "registry-api",
    port: 0,
    log,
    readiness: {},
    mount: (app) => mountApi(app, context, { events: feed, eventRoutes: { tokenRecheckMs: 200 } }),
  });
  eventsUrl = `http://127.0.0.1:${http.port}/api/v1/events`;
}, 60_000);

afterEach(async () => {
  for (const client of open.splice(0)) client.close();
  await waitFor(() => feed.size === 0, { what: "every events client to be forgotten" });
});

afterAll(async () => {
  await feed?.close();
  await http?.close();
  await env?.close();
});

async function connect(options: { token?: string; lastEventId?: string } = {}): Promise<EventStreamClient> {
  const client = await openEventStream(eventsUrl, { token: options.token ?? env.orgA.token, ...options });
  open.push(client);
  return client;
}

/** Publishes registry.sync.started for a made-up registry of `organizationId`; returns the registry id. */
async function syncStarted(organizationId: string): Promise<string> {
  const registryId = randomUUID();
  await publisher.publish(registrySyncStarted, {
    organizationId,
    registryId,
    syncRunId: randomUUID(),
    outcome: null,
    versionsAdded: 0,
    versionsRemoved: 0,
    error: null,
    at: new Date().toISOString(),
  });
  return registryId;
}

const ofRegistry = (registryId: string) => (e: ReceivedEvent) => e.data["registry_id"] === registryId;

describe("GET /events", () => {
  it("streams the token's organisation's events, named without their version, snake_case, with stream sequence ids", async () => {
    const client = await connect();
    expect(client.response.status).toBe(200);
    expect(client.response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(client.response.headers.get("cache-control")).toMatch(/no-cache/);
    expect(client.response.headers.get("x-accel-buffering")).toBe("no");
    await waitFor(() => feed.size === 1, { what: "the client to join the feed" });

    const registryId = await syncStarted(env.orgA.id);
    const event = await client.next("registry.sync.started", ofRegistry(registryId));
    expect(event.event).toBe("registry.sync.started");
    expect(event.id).toMatch(/^\d+$/);
    expect(event.data).toMatchObject({ organization_id: env.orgA.id, registry_id: registryId, outcome: null, versions_added: 0 });
    expect(event.data).toHaveProperty("sync_run_id");

    const versionId = randomUUID();
    await publisher.publish(chartVersionReady, {
      organizationId: env.orgA.id,
      registryId,
      versionId,
      chart: "web",
      version: "1.0.0",
      error: null,
      at: new Date().toISOString(),
    });
    const ready = await client.next("chart.version.ready", (e) => e.event === "chart.version.ready");
    expect(ready.data).toMatchObject({ version_id: versionId, chart: "web", version: "1.0.0", error: null });
    expect(Number(ready.id)).toBeGreaterThan(Number(event.id));
  });

  it("sends one chart.version.discovered per version of a chart's message, the last one carrying the id", async () => {
    const client = await connect();
    await waitFor(() => feed.size === 1, { what: "the client to join the feed" });
    const registryId = randomUUID();
    const versions = [
      { versionId: randomUUID(), version: "1.0.0" },
      { versionId: randomUUID(), version: "1.1.0+build.7" },
    ];
    await publisher.publish(chartVersionDiscovered, {
      organizationId: env.orgA.id,
      registryId,
      chart: "web",
      versions,
      at: new Date().toISOString(),
    });
    await waitFor(() => client.events.filter(ofRegistry(registryId)).length === 2, { what: "both discovered versions" });
    const [first, second] = client.events.filter(ofRegistry(registryId));
    expect(first).toMatchObject({ event: "chart.version.discovered", id: undefined });
    expect(first?.data).toMatchObject({ chart: "web", version: "1.0.0", version_id: versions[0]?.versionId, error: null });
    expect(second).toMatchObject({ event: "chart.version.discovered" });
    expect(second?.id).toMatch(/^\d+$/);
    expect(second?.data).toMatchObject({ version: "1.1.0+build.7", version_id: versions[1]?.versionId });
  });

  it("never sends another organisation's events", async () => {
    const a = await connect();
    const b = await connect({ token: env.orgB.token });
    await waitFor(() => feed.size === 2, { what: "both clients to join the feed" });
    const ofA = await syncStarted(env.orgA.id);
    const ofB = await syncStarted(env.orgB.id);
    const laterOfA = await syncStarted(env.orgA.id);
    await a.next("org A's later event", ofRegistry(laterOfA));
    await b.next("org B's event", ofRegistry(ofB));
    // Events reach a client in stream order, so B's event would have come before A's later one.
    expect(a.events.map((e) => e.data["registry_id"])).toEqual([ofA, laterOfA]);
    expect(a.events.every((e) => e.data["organization_id"] === env.orgA.id)).toBe(true);
    expect(b.events.map((e) => e.data["registry_id"])).toEqual([ofB]);
  });

  it("resumes after Last-Event-ID: the missed events of its organisation once each, then live ones", async () => {
    const first = await connect();
    await waitFor(() => feed.size === 1, { what: "the client to join the feed" });
    const seen = await syncStarted(env.orgA.id);
    await first.next("the first event", ofRegistry(seen));
    const lastEventId = first.lastEventId();
    first.close();
    await waitFor(() => feed.size === 0, { what: "the client to leave" });

    const missed1 = await syncStarted(env.orgA.id);
    await syncStarted(env.orgB.id);
    const missed2 = await syncStarted(env.orgA.id);
    const resumed = await connect({ lastEventId: lastEventId! });
    await resumed.next("the second missed event", ofRegistry(missed2));
    const live = await syncStarted(env.orgA.id);
    await resumed.next("a live event after the replay", ofRegistry(live));
    expect(resumed.events.map((e) => e.data["registry_id"])).toEqual([missed1, missed2, live]);
    const ids = resumed.events.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(ids[0]).toBeGreaterThan(Number(lastEventId));
  });

  it("starts from now with a stream.reset event when Last-Event-ID is too old or not an event id", async () => {
    const first = await connect();
    await waitFor(() => feed.size === 1, { what: "the client to join the feed" });
    const early = await syncStarted(env.orgA.id);
    await first.next("an early event", ofRegistry(early));
    const oldId = first.lastEventId()!;
    first.close();
    for (let i = 0; i <= replayLimit; i++) await syncStarted(env.orgB.id);

    const late = await connect({ lastEventId: oldId });
    const reset = await late.next("stream.reset", (e) => e.event === "stream.reset");
    expect(reset.data).toMatchObject({ reason: "too_old", last_event_id: oldId });
    expect(Number(reset.id)).toBeGreaterThan(Number(oldId) + replayLimit);
    expect(late.comments.some((c) => c.includes("too old"))).toBe(true);
    const live = await syncStarted(env.orgA.id);
    await late.next("a live event after the reset", ofRegistry(live));
    expect(late.events.filter((e) => e.event !== "stream.reset").map((e) => e.data["registry_id"])).toEqual([live]);

    const garbage = await connect({ lastEventId: "not-a-sequence" });
    const unknown = await garbage.next("stream.reset", (e) => e.event === "stream.reset");
    expect(unknown.data).toMatchObject({ reason: "unknown_event_id" });
  });

  it("forgets a client that disconnects", async () => {
    const client = await connect();
    await waitFor(() => feed.size === 1, { what: "the client to join the feed" });
    client.close();
    await waitFor(() => feed.size === 0, { what: "the client to be forgotten" });
    // The feed still serves the next client.
    const next = await connect();
    await waitFor(() => feed.size === 1, { what: "the next client to join the feed" });
    const registryId = await syncStarted(env.orgA.id);
    await next.next("an event", ofRegistry(registryId));
  });

  it("ends the stream of a token revoked after it connected", async () => {
    const made = await env.call("/api/v1/tokens", { method: "POST", json: { name: `events-${randomUUID()}`, scopes: ["read"] } });
    expect(made.status).toBe(201);
    const token = (await made.json()) as { id: string; token: string };
    const client = await connect({ token: token.token });
    const other = await connect();
    await waitFor(() => feed.size === 2, { what: "both clients to join the feed" });
    expect((await env.call(`/api/v1/tokens/${token.id}`, { method: "DELETE" })).status).toBe(204);
    await waitFor(() => client.ended(), { what: "the revoked token's stream to end" });
    expect(other.ended()).toBe(false);
  });

  it("refuses clients beyond the per-process cap with 503 unavailable", async () => {
    for (let i = 0; i < maxClients; i++) await connect();
    await waitFor(() => feed.size === maxClients, { what: "the clients to join the feed" });
    const refused = await connect();
    expect(refused.response.status).toBe(503);
    expect(refused.response.headers.get("retry-after")).toBe("10");
    expect(await refused.response.json()).toMatchObject({ status: 503, code: "unavailable" });
  });

  it("is described in openapi.json", async () => {
    const doc = (await (await fetch(`http://127.0.0.1:${http.port}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths).toHaveProperty(["/events", "get", "operationId"], "streamEvents");
  });

  it("needs a bearer token", async () => {
    const response = await fetch(eventsUrl);
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});
