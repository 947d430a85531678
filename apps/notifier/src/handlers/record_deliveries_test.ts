import { describe, expect, it } from "vitest";
import type { WebhookDeliveryDraft } from "@charthouse/catalog";
import type { SubscriptionRow, WebhookVersionFacts } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import type { DeliveryContext } from "@charthouse/messaging";
import { recordDeliveriesHandler } from "./record_deliveries.ts";

const organizationId = "00000000-0000-4000-8000-000000000001";
const registryId = "00000000-0000-4000-8000-000000000002";
const versionId = "00000000-0000-4000-8000-000000000003";
const syncRunId = "00000000-0000-4000-8000-000000000004";

const subscription = (over: Partial<SubscriptionRow>): SubscriptionRow => ({
  id: "sub",
  name: "s",
  url: "https://hooks.example.com/x",
  events: ["version.ready", "version.removed", "version.repushed", "version.deprecated", "sync.failing"],
  registry_id: null,
  chart: "web",
  version_range: "^2",
  include_prereleases: false,
  format: "cloudevents",
  created_at: new Date("2026-01-01T00:00:00Z"),
  ...over,
});

function setup(version: string, options: { failedBefore?: boolean } = {}) {
  const recorded: WebhookDeliveryDraft[] = [];
  const facts: WebhookVersionFacts = { version_id: versionId, registry_id: registryId, registry: "team", chart: "web", version, app_version: "1.0", digest: "sha256:d" };
  const handler = recordDeliveriesHandler({
    subscriptions: { candidates: async () => [subscription({ id: "on-two" }), subscription({ id: "any", chart: null, version_range: null })] },
    deliveries: {
      record: async (drafts) => {
        const fresh = drafts.filter((d) => !recorded.some((r) => r.subscriptionId === d.subscriptionId && r.eventKey === d.eventKey));
        recorded.push(...(fresh as WebhookDeliveryDraft[]));
        return fresh.length;
      },
    },
    reads: { versions: async () => [facts], registryName: async () => "team", failedBefore: async () => options.failedBefore ?? false },
    metrics: { recorded: () => undefined, attempted: () => undefined },
  });
  return { handler, recorded };
}

const context = (subject: string): DeliveryContext => ({ attempt: 1, log: createLogger("test", { level: "silent" }), working: () => undefined, subject });
const ready = { organizationId, registryId, versionId, chart: "web", error: null, summary: null, at: "2026-06-01T00:00:00.000Z" };

describe("recordDeliveriesHandler()", () => {
  it("records a 1.x release for the subscription on any version only, and a 2.x release for both", async () => {
    const one = setup("1.4.0");
    await one.handler.handle({ ...ready, version: "1.4.0" }, context("chart.version.ready.v1"));
    expect(one.recorded.map((d) => d.subscriptionId)).toEqual(["any"]);
    const two = setup("2.0.0");
    await two.handler.handle({ ...ready, version: "2.0.0" }, context("chart.version.ready.v1"));
    expect(two.recorded.map((d) => d.subscriptionId)).toEqual(["on-two", "any"]);
    expect(two.recorded[0]?.event).toMatchObject({ type: "dev.charthouse.version.ready", source: `/registries/${registryId}`, data: { chart: "web", version: "2.0.0", digest: "sha256:d" } });
  });

  it("records nothing more when the same version is announced ready again, even at another time", async () => {
    const { handler, recorded } = setup("2.0.0");
    await handler.handle({ ...ready, version: "2.0.0" }, context("chart.version.ready.v1"));
    await handler.handle({ ...ready, version: "2.0.0", at: "2026-06-01T00:05:00.000Z" }, context("chart.version.ready.v1"));
    expect(recorded).toHaveLength(2);
  });

  it("tells a registry's first failed sync, not the ones that follow it", async () => {
    const sync = { organizationId, registryId, syncRunId, outcome: "failed", versionsAdded: 0, versionsRemoved: 0, at: "2026-06-01T00:00:00.000Z" };
    const error = { code: "timeout", message: "GET timed out", cause: null, solution: "Check" };
    const first = setup("2.0.0");
    await first.handler.handle({ ...sync, error }, context("registry.sync.finished.v1"));
    expect(first.recorded.map((d) => d.event.type)).toEqual(["dev.charthouse.sync.failing", "dev.charthouse.sync.failing"]);
    expect(first.recorded[0]?.event.data.error).toEqual({ code: "timeout", message: "GET timed out" });
    const again = setup("2.0.0", { failedBefore: true });
    await again.handler.handle({ ...sync, error }, context("registry.sync.finished.v1"));
    expect(again.recorded).toHaveLength(0);
  });

  it("leaves events no watch rule is about, and refuses a malformed one", async () => {
    const { handler, recorded } = setup("2.0.0");
    await handler.handle({ ...ready, version: "2.0.0" }, context("chart.version.failed.v1"));
    expect(recorded).toHaveLength(0);
    await expect(handler.handle({ ...ready, versionId: "nope" }, context("chart.version.ready.v1"))).rejects.toThrow(/versionId/);
  });
});

describe("recordDeliveriesHandler() on batches of versions", () => {
  const batch = { organizationId, registryId, chart: "web", versions: [{ versionId, version: "2.0.0" }], at: "2026-06-01T00:00:00.000Z" };
  for (const [subject, type] of [
    ["chart.version.removed.v1", "dev.charthouse.version.removed"],
    ["chart.version.repushed.v1", "dev.charthouse.version.repushed"],
    ["chart.version.deprecated.v1", "dev.charthouse.version.deprecated"],
  ] as const) {
    it(`tells each version of ${subject} as ${type}`, async () => {
      const { handler, recorded } = setup("2.0.0");
      await handler.handle(batch, context(subject));
      expect(recorded.map((d) => [d.subscriptionId, d.event.type])).toEqual([
        ["on-two", type],
        ["any", type],
      ]);
    });
  }
});

describe("recordDeliveriesHandler() without candidates", () => {
  it("reads no version when no subscription of the organisation may want the event", async () => {
    const never = async (): Promise<never> => {
      throw new Error("read although no subscription may want the event");
    };
    const handler = recordDeliveriesHandler({
      subscriptions: { candidates: async () => [] },
      deliveries: { record: never },
      reads: { versions: never, registryName: never, failedBefore: never },
      metrics: { recorded: () => undefined, attempted: () => undefined },
    });
    await handler.handle({ ...ready, version: "2.0.0" }, context("chart.version.ready.v1"));
  });
});
