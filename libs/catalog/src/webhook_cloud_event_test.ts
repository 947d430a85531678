import { describe, expect, it } from "vitest";
import { buildCloudEvent, webhookBody, webhookDeliveryFor, type WebhookEventData } from "./webhook_cloud_event.ts";

const data: WebhookEventData = {
  registry_id: "11111111-1111-4111-8111-111111111111",
  registry: "team-charts",
  chart: "web",
  version: "2.1.0",
  app_version: "1.25.3",
  digest: "sha256:abc",
  previous_version: "2.0.0",
};

describe("buildCloudEvent()", () => {
  it("makes a structured CloudEvents 1.0 event whose id is the delivery id and whose source is the registry", () => {
    const event = buildCloudEvent("d-1", { type: "version.ready", time: new Date("2026-12-01T11:00:00Z"), data });
    expect(event).toEqual({
      specversion: "1.0",
      id: "d-1",
      type: "dev.charthouse.version.ready",
      source: "/registries/11111111-1111-4111-8111-111111111111",
      subject: "web/2.1.0",
      time: "2026-12-01T11:00:00.000Z",
      datacontenttype: "application/json",
      data,
    });
  });

  it("leaves the subject out of a registry event", () => {
    const failing = { ...data, chart: null, version: null, app_version: null, digest: null, previous_version: null };
    expect(buildCloudEvent("d-2", { type: "sync.failing", time: new Date(), data: failing })).not.toHaveProperty("subject");
  });
});

describe("webhookBody()", () => {
  it("sends the event itself, or a Slack message that names the chart and versions", () => {
    const event = buildCloudEvent("d-1", { type: "version.ready", time: new Date("2026-12-01T11:00:00Z"), data });
    expect(JSON.parse(webhookBody(event, "cloudevents"))).toEqual(event);
    expect(JSON.parse(webhookBody(event, "slack"))).toEqual({
      text: "Charthouse version.ready: team-charts/web 2.1.0 (app 1.25.3), previous 2.0.0",
    });
  });
});

describe("webhookDeliveryFor()", () => {
  it("gives each delivery its own id, which is the CloudEvent's id, and keeps the event's key", () => {
    const event = { type: "version.ready" as const, key: "v1:ready", time: new Date(), data };
    const one = webhookDeliveryFor("s-1", event);
    const two = webhookDeliveryFor("s-2", event);
    expect(one.id).not.toBe(two.id);
    expect(one.event.id).toBe(one.id);
    expect(one).toMatchObject({ subscriptionId: "s-1", eventKey: "v1:ready", eventType: "version.ready" });
  });
});
