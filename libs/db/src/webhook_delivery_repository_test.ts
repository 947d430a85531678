import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError } from "@charthouse/errors";
import { SubscriptionRepository, type NewSubscription } from "./subscription_repository.ts";
import { WebhookDeliveryRepository, type NewWebhookDelivery } from "./webhook_delivery_repository.ts";
import type { SqlClient } from "./sql_client.ts";
import { twoOrganizationDatabase, type TwoOrganizationDatabase } from "./repository_fixtures_test_support.ts";

let database: TwoOrganizationDatabase;
let sql: SqlClient;
let subscriptions: SubscriptionRepository;
let deliveries: WebhookDeliveryRepository;

beforeAll(async () => {
  database = await twoOrganizationDatabase("ch_webhook_repo");
  ({ sql } = database);
  subscriptions = new SubscriptionRepository(sql);
  deliveries = new WebhookDeliveryRepository(sql);
});

afterAll(() => database?.close());

const subscription = (name: string, events: string[] = ["version.ready"]): NewSubscription => ({
  id: randomUUID(),
  name,
  url: "https://hooks.example.com/in",
  events,
  registryId: null,
  chart: "web",
  versionRange: "^2",
  includePrereleases: false,
  format: "cloudevents",
  secret: { keyId: "k1", ciphertext: "sealed" },
});

const delivery = (subscriptionId: string, eventKey: string): NewWebhookDelivery => ({
  id: randomUUID(),
  subscriptionId,
  eventKey,
  eventType: "version.ready",
  event: { specversion: "1.0" },
});

describe("SubscriptionRepository", () => {
  it("keeps each organisation's subscriptions to itself and never reads the secret", async () => {
    const mine = subscription("mine");
    await subscriptions.insert(database.orgA, mine);
    const row = await subscriptions.get(database.orgA, mine.id);
    expect(row).toMatchObject({ name: "mine", events: ["version.ready"], chart: "web", version_range: "^2", format: "cloudevents" });
    expect(Object.keys(row ?? {})).not.toContain("secret_ciphertext");
    expect(await subscriptions.get(database.orgB, mine.id)).toBeNull();
    await expect(subscriptions.delete(database.orgB, mine.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await subscriptions.list(database.orgB, { limit: 10, after: undefined })).map((s) => s.id)).not.toContain(mine.id);
  });

  it("offers as candidates only subscriptions of the event's type that existed when it happened", async () => {
    const ready = subscription("ready-only");
    const removed = subscription("removed-only", ["version.removed"]);
    await subscriptions.insert(database.orgA, ready);
    await subscriptions.insert(database.orgA, removed);
    const registryId = randomUUID();
    const now = await subscriptions.candidates(database.orgA, { registryId, type: "version.ready", at: new Date(Date.now() + 1000) });
    expect(now.map((s) => s.id)).toContain(ready.id);
    expect(now.map((s) => s.id)).not.toContain(removed.id);
    const before = await subscriptions.candidates(database.orgA, { registryId, type: "version.ready", at: new Date(Date.now() - 3600_000) });
    expect(before.map((s) => s.id)).not.toContain(ready.id);
  });
});

describe("WebhookDeliveryRepository", () => {
  it("records one delivery per subscription and event, however often the event comes", async () => {
    const sub = subscription("once");
    await subscriptions.insert(database.orgA, sub);
    expect(await deliveries.record([delivery(sub.id, "v1:ready")])).toBe(1);
    expect(await deliveries.record([delivery(sub.id, "v1:ready"), delivery(sub.id, "v2:ready")])).toBe(1);
    expect(await deliveries.listForSubscription(database.orgA, sub.id, { offset: 0, limit: 10 })).toHaveLength(2);
    expect(await deliveries.listForSubscription(database.orgB, sub.id, { offset: 0, limit: 10 })).toHaveLength(0);
  });

  it("leases a claimed delivery, so it is not claimed twice until its lease ends, and keeps its id across attempts", async () => {
    const sub = subscription("lease");
    await subscriptions.insert(database.orgA, sub);
    const recorded = delivery(sub.id, "lease:ready");
    await deliveries.record([recorded]);
    const claimMine = async (leaseMs: number) => (await deliveries.claimDue(1000, leaseMs)).filter((d) => d.id === recorded.id);
    const [first] = await claimMine(50);
    expect(first).toMatchObject({ id: recorded.id, attempts: 1, url: sub.url, secretCiphertext: "sealed" });
    expect(await claimMine(50)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const [again] = await claimMine(60_000);
    expect(again).toMatchObject({ id: recorded.id, attempts: 2 });
    await deliveries.finishAttempt(recorded.id, { delivered: false, retryAt: null, statusCode: 500, error: "HTTP 500" });
    expect(await deliveries.get(database.orgA, recorded.id)).toMatchObject({ status: "failed", attempts: 2, last_status_code: 500, next_attempt_at: null });
  });
});
