/** An event a subscription can ask for. */
export type WebhookEventTypeJson = "version.ready" | "version.deprecated" | "version.removed" | "version.repushed" | "sync.failing";

/** A watch rule: which events, on which registry, chart and versions, go to which URL in which format. Never its secret. */
export interface SubscriptionJson {
  id: string;
  name: string;
  url: string;
  events: WebhookEventTypeJson[];
  registry_id: string | null;
  chart: string | null;
  version_range: string | null;
  include_prereleases: boolean;
  format: "cloudevents" | "slack";
  created_at: string;
}

/** The answer to POST /subscriptions: the only time the secret is shown. */
export interface CreatedSubscriptionJson extends SubscriptionJson {
  secret: string;
}

/** One event for one subscription, and how its delivery stands. */
export interface WebhookDeliveryJson {
  id: string;
  event_type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
}
