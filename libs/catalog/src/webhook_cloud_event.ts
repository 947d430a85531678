import type { WebhookEventType } from "./subscription_match.ts";

/** The `data` of a Charthouse CloudEvent; registry events (sync.failing) carry null chart fields and their error. */
export interface WebhookEventData {
  registry_id: string;
  registry: string;
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

/** The CloudEvent of one delivery: its id is the delivery id, its type `dev.charthouse.<event>`, its source the registry. */
export function buildCloudEvent(
  deliveryId: string,
  event: { type: WebhookEventType | typeof testEventType; time: Date; data: WebhookEventData },
): WebhookCloudEvent {
  const { data } = event;
  return {
    specversion: "1.0",
    id: deliveryId,
    type: `dev.charthouse.${event.type}`,
    source: `/registries/${data.registry_id}`,
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
    return `Charthouse ${what} on registry ${data.registry}${error}`;
  }
  const app = data.app_version === null ? "" : ` (app ${data.app_version})`;
  const previous = data.previous_version === null ? "" : `, previous ${data.previous_version}`;
  return `Charthouse ${what}: ${data.registry}/${data.chart} ${data.version ?? ""}${app}${previous}`;
}
