import { randomUUID } from "node:crypto";
import type { WebhookEventType } from "./subscription_match.ts";

/** The `data` of a Charthouse CloudEvent; registry events (sync.failing) carry null chart fields and their error. */
export interface WebhookEventData {
  /** Null only in a test event of a subscription on every registry. */
  registry_id: string | null;
  registry: string | null;
  chart: string | null;
  version: string | null;
  app_version: string | null;
  digest: string | null;
  previous_version: string | null;
  error?: { code: string; message: string } | null;
}

/** A structured-mode CloudEvents 1.0 JSON event, as a delivery sends it. */
export interface WebhookCloudEvent {
  specversion: "1.0";
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: "application/json";
  data: WebhookEventData;
}

/** The type of a test event (POST /subscriptions/{id}/test). */
export const testEventType = "test";

/** An event as a webhook tells it. */
export interface WatchedEventDescription {
  type: WebhookEventType | typeof testEventType;
  time: Date;
  data: WebhookEventData;
  /** The CloudEvent source when it is not the event's registry (a test event). */
  source?: string;
}

/** A delivery to record: its id (the CloudEvent's and the webhook-id), the event's key and the CloudEvent. */
export interface WebhookDeliveryDraft {
  id: string;
  subscriptionId: string;
  eventKey: string;
  eventType: string;
  event: WebhookCloudEvent;
}

/** The delivery of one event to one subscription, with a new id; `eventKey` names the event (one delivery per subscription and key). */
export function webhookDeliveryFor(subscriptionId: string, event: WatchedEventDescription & { key: string }): WebhookDeliveryDraft {
  const id = randomUUID();
  return { id, subscriptionId, eventKey: event.key, eventType: event.type, event: buildCloudEvent(id, event) };
}

/** The CloudEvent of one delivery: its id is the delivery id, its type `dev.charthouse.<event>`, its source the registry. */
export function buildCloudEvent(deliveryId: string, event: WatchedEventDescription): WebhookCloudEvent {
  const { data } = event;
  return {
    specversion: "1.0",
    id: deliveryId,
    type: `dev.charthouse.${event.type}`,
    source: event.source ?? `/registries/${data.registry_id ?? ""}`,
    ...(data.chart === null ? {} : { subject: data.version === null ? data.chart : `${data.chart}/${data.version}` }),
    time: event.time.toISOString(),
    datacontenttype: "application/json",
    data,
  };
}

/** The formats a subscription delivers in. */
export const webhookFormats = ["cloudevents", "slack"] as const;

/** One delivery format. */
export type WebhookFormat = (typeof webhookFormats)[number];

/** The body a delivery sends: the CloudEvent itself, or a Slack incoming-webhook message that tells the same. */
export function webhookBody(event: WebhookCloudEvent, format: WebhookFormat): string {
  if (format === "cloudevents") return JSON.stringify(event);
  return JSON.stringify({ text: slackText(event) });
}

function slackText(event: WebhookCloudEvent): string {
  const { data } = event;
  const what = event.type.replace(/^dev\.charthouse\./, "");
  if (data.chart === null) {
    const error = data.error ? `: ${data.error.message}` : "";
    return `Charthouse ${what} on registry ${data.registry ?? "(any)"}${error}`;
  }
  const app = data.app_version === null ? "" : ` (app ${data.app_version})`;
  const previous = data.previous_version === null ? "" : `, previous ${data.previous_version}`;
  return `Charthouse ${what}: ${data.registry ?? ""}/${data.chart} ${data.version ?? ""}${app}${previous}`;
}
