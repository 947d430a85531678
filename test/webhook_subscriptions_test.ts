// Watch rules end to end: the real services, a real chart repository (nginx) and a webhook
// receiver of the test's own that verifies each delivery as a Standard Webhooks consumer would.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "nats";
import type { CreatedSubscriptionJson, PageJson, WebhookDeliveryJson } from "@charthouse/api-types";
import { verifyWebhookSignature } from "@charthouse/catalog";
import { startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { addRegistry, registrySettled, syncNow } from "./support/api_waits.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";

/** One request the receiver got. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver does with the next requests: answer with a status, or hold the request unanswered. */
type Reply = number | "hold";

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let nginx: NginxServer;
let registryId: string;
let receiverUrl: string;
let closeReceiver: () => Promise<void>;
const received: Received[] = [];
/** What the receiver answers next on each path (204 when nothing is queued). */
const replies = new Map<string, Reply[]>();
const held: ServerResponse[] = [];
const secret = `whsec_${randomBytes(32).toString("base64")}`;

beforeAll(async () => {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      const reply = replies.get(req.url ?? "")?.shift() ?? 204;
      if (reply === "hold") held.push(res);
      else res.writeHead(reply).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  closeReceiver = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  repository = await makeChartRepository([{ name: "web", version: "1.0.0", appVersion: "1.0.0" }]);
  nginx = await startNginx({ root: repository.root });
  charthouse = await startCharthouse({
    env: { CHARTHOUSE_WEBHOOK_RETRY_BASE_MS: "200", CHARTHOUSE_WEBHOOK_TIMEOUT_MS: "1500", CHARTHOUSE_WEBHOOK_POLL_MS: "50" },
    restart: { initialDelayMs: 200, maxDelayMs: 1_000, healthyAfterMs: 30_000 },
  });
  registryId = await addRegistry(charthouse, "webhook-charts", nginx.url);
  await registrySettled(charthouse, registryId, "the first sync");
}, 120_000);

afterAll(async () => {
  for (const res of held) res.destroy();
  await charthouse?.stop();
  await nginx?.stop();
  await closeReceiver?.();
});

async function subscribe(path: string, body: Record<string, unknown> = {}): Promise<CreatedSubscriptionJson> {
  const created = await charthouse.api<CreatedSubscriptionJson>("POST", "/subscriptions", {
    name: path,
    url: `${receiverUrl}${path}`,
    secret,
    events: ["version.ready"],
    registry_id: registryId,
    chart: "web",
    version_range: "^2",
    ...body,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

async function release(version: string): Promise<void> {
  await repository.add({ name: "web", version, appVersion: version });
  await syncNow(charthouse, registryId);
  await registrySettled(charthouse, registryId, `web ${version} ready`);
}

/** Waits until the notifier has read every event published so far (its durable consumer is empty). */
async function notifierCaughtUp(): Promise<void> {
  const nc = await connect({ servers: charthouse.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    await waitFor(
      async () => {
        const info = await jsm.consumers.info("CHARTHOUSE_EVENTS", "notifier");
        return info.num_pending === 0 && info.num_ack_pending === 0;
      },
      { what: "the notifier to read every event", timeoutMs: 30_000, intervalMs: 100 },
    );
  } finally {
    await nc.close();
  }
}

async function deliveries(subscriptionId: string): Promise<WebhookDeliveryJson[]> {
  return (await charthouse.api<PageJson<WebhookDeliveryJson>>("GET", `/subscriptions/${subscriptionId}/deliveries`)).body.items;
}

const to = (path: string): Received[] => received.filter((r) => r.path === path);

function verified(request: Received): Record<string, unknown> {
  const id = String(request.headers["webhook-id"]);
  const timestamp = Number(request.headers["webhook-timestamp"]);
  expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(300);
  expect(verifyWebhookSignature({ id, timestamp, body: request.body }, String(request.headers["webhook-signature"]), secret)).toBe(true);
  expect(request.headers["content-type"]).toBe("application/cloudevents+json");
  const event = JSON.parse(request.body) as Record<string, unknown>;
  expect(event["id"]).toBe(id);
  return event;
}

describe("watch rules and signed webhooks", () => {
  it("sends nothing for a 1.x release and one signed CloudEvent for a 2.x release to a subscription on ^2", { timeout: 90_000 }, async () => {
    const subscription = await subscribe("/on-two");
    await release("1.5.0");
    await release("2.0.0");
    await notifierCaughtUp();
    const [request] = await waitFor(() => (to("/on-two").length > 0 ? to("/on-two") : false), {
      what: "the 2.0.0 delivery",
      timeoutMs: 30_000,
      intervalMs: 50,
    });
    const event = verified(request!);
    expect(event).toMatchObject({
      specversion: "1.0",
      type: "dev.charthouse.version.ready",
      source: `/registries/${registryId}`,
      data: { registry_id: registryId, registry: "webhook-charts", chart: "web", version: "2.0.0", app_version: "2.0.0", previous_version: "1.5.0" },
    });
    const list = await deliveries(subscription.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: request!.headers["webhook-id"], event_type: "version.ready", status: "delivered", attempts: 1, last_status_code: 204 });
    expect(to("/on-two")).toHaveLength(1);
  });

  it("retries a receiver that answers 500 three times and delivers on the fourth attempt with the same webhook-id", { timeout: 90_000 }, async () => {
    const subscription = await subscribe("/flaky");
    replies.set("/flaky", [500, 500, 500]);
    await release("2.1.0");
    const attempts = await waitFor(() => (to("/flaky").length >= 4 ? to("/flaky") : false), { what: "four attempts", timeoutMs: 30_000, intervalMs: 50 });
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    for (const attempt of attempts) expect(verified(attempt)["data"]).toMatchObject({ version: "2.1.0" });
    const [delivery] = await waitFor(async () => {
      const list = await deliveries(subscription.id);
      return list[0]?.status === "delivered" ? list : false;
    }, { what: "the delivery to be marked delivered", timeoutMs: 10_000, intervalMs: 100 });
    expect(delivery).toMatchObject({ attempts: 4, last_status_code: 204, next_attempt_at: null });
  });

  it("loses nothing when the notifier is killed mid-delivery: the same delivery comes again after a restart", { timeout: 90_000 }, async () => {
    const subscription = await subscribe("/killed");
    replies.set("/killed", ["hold"]);
    await release("2.2.0");
    const [first] = await waitFor(() => (to("/killed").length > 0 ? to("/killed") : false), { what: "the first attempt", timeoutMs: 30_000, intervalMs: 50 });
    const before = charthouse.stack.processes.filter((p) => p.service === "notifier").map((p) => p.starts);
    await charthouse.stack.kill("notifier", "SIGKILL");
    await waitFor(() => charthouse.stack.processes.filter((p) => p.service === "notifier").every((p, i) => p.starts > (before[i] ?? 0)), {
      what: "the notifier to be restarted",
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const second = await waitFor(() => to("/killed")[1] ?? false, { what: "the attempt after the restart", timeoutMs: 45_000, intervalMs: 100 });
    expect(second.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(verified(second)["data"]).toMatchObject({ version: "2.2.0" });
    await waitFor(async () => (await deliveries(subscription.id))[0]?.status === "delivered", { what: "delivered", timeoutMs: 10_000, intervalMs: 100 });
    expect(await deliveries(subscription.id)).toHaveLength(1);
  });

  it("tells a version published again under another digest as version.repushed, once", { timeout: 60_000 }, async () => {
    const subscription = await subscribe("/repushed", { events: ["version.repushed"] });
    // Same version, other bytes: helm packages it again with another appVersion.
    await repository.add({ name: "web", version: "2.0.0", appVersion: "2.0.0-fixed" });
    await syncNow(charthouse, registryId);
    const [request] = await waitFor(() => (to("/repushed").length > 0 ? to("/repushed") : false), { what: "the re-push", timeoutMs: 30_000, intervalMs: 50 });
    expect(verified(request!)).toMatchObject({ type: "dev.charthouse.version.repushed", data: { chart: "web", version: "2.0.0" } });
    await registrySettled(charthouse, registryId, "web 2.0.0 ready again");
    await notifierCaughtUp();
    expect((await deliveries(subscription.id)).map((d) => d.event_type)).toEqual(["version.repushed"]);
  });

  it("refuses a webhook target of 169.254.169.254, at creation and again at delivery", { timeout: 60_000 }, async () => {
    const refused = await charthouse.api<{ code: string; errors: { field: string }[] }>("POST", "/subscriptions", {
      name: "metadata",
      url: "http://169.254.169.254/latest/meta-data/",
      events: ["version.ready"],
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: "forbidden_destination", errors: [{ field: "url" }] });

    // A name that resolved elsewhere when the subscription was made is vetted again on every attempt.
    const subscription = await subscribe("/moved");
    const { Client } = await import("pg");
    const db = new Client({ connectionString: charthouse.databaseUrl });
    await db.connect();
    await db.query("UPDATE subscriptions SET url = 'http://169.254.169.254/hook' WHERE id = $1", [subscription.id]);
    await db.end();
    expect((await charthouse.api("POST", `/subscriptions/${subscription.id}/test`)).status).toBe(202);
    const [failed] = await waitFor(async () => {
      const list = await deliveries(subscription.id);
      return list[0]?.status === "failed" ? list : false;
    }, { what: "the delivery to be refused", timeoutMs: 15_000, intervalMs: 100 });
    expect(failed).toMatchObject({ event_type: "test", attempts: 1, last_status_code: null });
    expect(failed?.last_error).toContain("169.254.169.254");
    expect(to("/moved")).toHaveLength(0);
  });
});
