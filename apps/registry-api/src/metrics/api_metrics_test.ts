import { randomBytes } from "node:crypto";
import { streams } from "@charthouse/contracts";
import { createSqlClient, ensureSchema, type SqlClient } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { ArchiveStore, connectNats, ensureConsumer, ensureStream, Publisher, type NatsConnection } from "@charthouse/messaging";
import { startServiceHttp, type ServiceHttp } from "@charthouse/service-runtime";
import { createTestDatabase, metricSample, startNatsServer, waitFor, type NatsServer, type TestDatabase } from "@charthouse/testing";
import { archiveBucket } from "@charthouse/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiRepositories } from "../api_repositories.ts";
import { mountApi } from "../app.ts";
import { bootstrapDefaultOrganization } from "../bootstrap.ts";
import { openEventStream } from "../events_client_test_support.ts";
import { EventFeed } from "../events_feed.ts";
import { createApiMetrics } from "./api_metrics.ts";

const log = createLogger("api-metrics-test", { level: "silent" });


describe("registry-api /metrics", () => {
  let database: TestDatabase;
  let natsServer: NatsServer;
  let sql: SqlClient;
  let nats: NatsConnection;
  let events: EventFeed;
  let http: ServiceHttp;
  let baseUrl: string;
  const token = `cht_${randomBytes(16).toString("hex")}`;
  let organizationId: string;

  beforeAll(async () => {
    natsServer = await startNatsServer();
    database = await createTestDatabase("ch_metrics_test");
    await ensureSchema(database.url);
    sql = createSqlClient(database.url, { poolSize: 8 });
    const db = createApiRepositories(sql);
    nats = await connectNats(natsServer.url, "api-metrics-test");
    const jsm = await nats.jetstreamManager({ timeout: 2_000 });
    for (const stream of Object.values(streams)) await ensureStream(jsm, stream);
    const js = nats.jetstream();
    organizationId = await bootstrapDefaultOrganization(db, token);
    events = await EventFeed.start(nats, { log });
    const context = { db, publisher: new Publisher(js), archives: await ArchiveStore.open(js, archiveBucket), log, secretBox: null };
    const metrics = createApiMetrics({ gauges: db.gauges, jsm, sseClients: () => events.size, log, reuseMs: 0 });
    http = await startServiceHttp({
      service: "registry-api",
      port: 0,
      log,
      readiness: {},
      metrics,
      mount: (app) => mountApi(app, context, { events, metrics }),
    });
    baseUrl = `http://127.0.0.1:${http.port}`;
  });

  afterAll(async () => {
    await events?.close();
    await http?.close();
    await nats?.drain();
    await sql?.close();
    await database?.drop();
    await natsServer?.stop();
  });

  const scrape = async (): Promise<string> => {
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.status).toBe(200);
    return await response.text();
  };

  it("counts requests by route pattern, method and status, never by raw path", { timeout: 30_000 }, async () => {
    const id = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    const authorization = { authorization: `Bearer ${token}` };
    expect((await fetch(`${baseUrl}/api/v1/registries`, { headers: authorization })).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/v1/registries/${id}`, { headers: authorization })).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/v1/registries/${id}`)).status).toBe(401);
    expect((await fetch(`${baseUrl}/api/v1/no/such/${id}`, { headers: authorization })).status).toBe(404);
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(metricSample(text, "charthouse_http_requests_total", { route: "/api/v1/registries", method: "GET", status: "200" })).toBe(1);
    expect(metricSample(text, "charthouse_http_requests_total", { route: "/api/v1/registries/:id", method: "GET", status: "404" })).toBe(1);
    // Refused before routing, still counted under its route.
    expect(metricSample(text, "charthouse_http_requests_total", { route: "/api/v1/registries/:id", method: "GET", status: "401" })).toBe(1);
    expect(metricSample(text, "charthouse_http_requests_total", { route: "unmatched", method: "GET", status: "404" })).toBe(1);
    expect(metricSample(text, "charthouse_http_request_duration_seconds_count", { route: "/api/v1/registries", method: "GET", status: "200" })).toBe(1);
    expect(text).not.toContain(id);
  });

  it("counts registries and versions by state over every organisation, and the newest and oldest successful sync", { timeout: 30_000 }, async () => {
    const other = await sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ($1) RETURNING id", [`other-${randomBytes(4).toString("hex")}`]);
    const insert = async (org: string, name: string, state: string, lastSuccess: string | null, interval = 120): Promise<string> => {
      const rows = await sql.query<{ id: string }>(
        `INSERT INTO registries (organization_id, name, url, kind, state, last_success_at, sync_interval_seconds, created_at)
         VALUES ($1, $2, 'https://charts.example.com', 'http_registry', $3, $4, $5, '2026-01-01T00:00:00Z') RETURNING id`,
        [org, name, state, lastSuccess, interval],
      );
      return rows[0]!.id;
    };
    const fine = await insert(organizationId, "fine", "ok", "2026-11-30T12:00:00Z");
    await insert(organizationId, "broken", "error", "2026-11-01T00:00:00Z");
    await insert(other[0]!.id, "elsewhere", "error", null, 0);
    await insert(other[0]!.id, "manual-only", "ok", "2026-06-01T00:00:00Z", 0);
    const chart = await sql.query<{ id: string }>("INSERT INTO charts (registry_id, name) VALUES ($1, 'nginx') RETURNING id", [fine]);
    await sql.query(
      `INSERT INTO chart_versions (chart_id, registry_id, version, state)
       SELECT $1, $2, '1.0.' || n, CASE WHEN n <= 3 THEN 'ready' WHEN n = 4 THEN 'failed' ELSE 'discovered' END FROM generate_series(1, 6) n`,
      [chart[0]!.id, fine],
    );

    const text = await scrape();
    expect(metricSample(text, "charthouse_registries", { state: "ok" })).toBe(2);
    expect(metricSample(text, "charthouse_registries", { state: "error" })).toBe(2);
    expect(metricSample(text, "charthouse_registries", { state: "disabled" })).toBe(0);
    expect(metricSample(text, "charthouse_chart_versions", { state: "ready" })).toBe(3);
    expect(metricSample(text, "charthouse_chart_versions", { state: "failed" })).toBe(1);
    expect(metricSample(text, "charthouse_chart_versions", { state: "discovered" })).toBe(2);
    expect(metricSample(text, "charthouse_chart_versions", { state: "removed" })).toBe(0);
    expect(metricSample(text, "charthouse_last_successful_sync_timestamp_seconds")).toBe(Date.parse("2026-11-30T12:00:00Z") / 1000);
    // Only registries on an interval: the manual-only one synced in June does not count.
    expect(metricSample(text, "charthouse_oldest_successful_sync_timestamp_seconds")).toBe(Date.parse("2026-11-01T00:00:00Z") / 1000);
    expect(metricSample(text, "charthouse_metrics_collector_success", { collector: "registries" })).toBe(1);
    // No organisation or registry shows up in a label.
    expect(text).not.toContain(organizationId);
    expect(text).not.toContain("broken");
    expect(text).not.toContain("elsewhere");
  });

  it("reads each durable consumer's pending and ack-pending messages from JetStream", { timeout: 30_000 }, async () => {
    const jsm = await nats.jetstreamManager();
    const durable = "metrics-test-consumer";
    await ensureConsumer(jsm, { stream: streams.SYNC.name, durable, filterSubject: "sync.requested.metricstest.v1", ackWaitMs: 60_000, maxAckPending: 100 });
    const js = nats.jetstream();
    for (let i = 0; i < 5; i++) await js.publish("sync.requested.metricstest.v1", new TextEncoder().encode(`{"n":${i}}`));
    const consumer = await js.consumers.get(streams.SYNC.name, durable);
    const taken = await consumer.next({ expires: 5_000 });
    expect(taken).not.toBeNull();

    const text = await scrape();
    expect(metricSample(text, "charthouse_jetstream_consumer_pending", { stream: streams.SYNC.name, consumer: durable })).toBe(4);
    expect(metricSample(text, "charthouse_jetstream_consumer_ack_pending", { stream: streams.SYNC.name, consumer: durable })).toBe(1);
    // The live event feed's ordered consumer has a random name: it is not exported.
    expect(text).not.toMatch(/charthouse_jetstream_consumer_pending\{[^}]*stream="CHARTHOUSE_EVENTS"/);
  });

  it("counts the /events clients this process holds open", { timeout: 30_000 }, async () => {
    const client = await openEventStream(`${baseUrl}/api/v1/events`, { token });
    try {
      await waitFor(() => events.size === 1, { what: "the event stream to be subscribed", timeoutMs: 5_000 });
      expect(metricSample(await scrape(), "charthouse_sse_clients")).toBe(1);
    } finally {
      client.close();
    }
    await waitFor(() => events.size === 0, { what: "the event stream to be closed", timeoutMs: 5_000 });
    expect(metricSample(await scrape(), "charthouse_sse_clients")).toBe(0);
  });
});
