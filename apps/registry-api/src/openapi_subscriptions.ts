/**
 * Watch rules in the OpenAPI document: subscriptions (routes/subscription_routes.ts), their
 * webhook deliveries, and the CloudEvent a delivery sends.
 */
import { errors, idParam, int, json, nullable, nullableTime, object, op, page, pageParams, problem, ref, str, time, uuid, type OperationObject, type SchemaObject } from "./openapi_builders.ts";

const eventTypes = ["version.ready", "version.deprecated", "version.removed", "version.repushed", "sync.failing"];
const events: SchemaObject = { type: "array", items: { type: "string", enum: eventTypes }, minItems: 1 };
const format: SchemaObject = { type: "string", enum: ["cloudevents", "slack"], default: "cloudevents", description: "cloudevents: the structured CloudEvents 1.0 JSON event; slack: a Slack incoming-webhook message ({text})" };
const subscriptionFields = {
  id: uuid,
  name: str(),
  url: str("Where deliveries are POSTed (http or https)"),
  events,
  registry_id: nullable("string", { format: "uuid", description: "Only this registry's events; null for every registry of the organisation" }),
  chart: nullable("string", { description: "A glob on the chart name (* any run of characters, ? one); null for every chart" }),
  version_range: nullable("string", { description: "A semver range (^2, >=2.0.0 <3); null for every version" }),
  include_prereleases: { type: "boolean", description: "Pre-release versions match only when true" },
  format,
  created_at: time,
};

/** The schemas of subscriptions, deliveries and the delivered CloudEvent. */
export const subscriptionSchemas: Record<string, SchemaObject> = {
  Subscription: object(subscriptionFields),
  CreatedSubscription: object({ ...subscriptionFields, secret: str("The signing secret: shown in this answer only") }),
  SubscriptionCreate: {
    ...object(
      {
        name: str(),
        url: str("http(s), no user info; link-local, cloud metadata (and private networks when CHARTHOUSE_BLOCK_PRIVATE_NETWORKS is on) are refused"),
        secret: str("The signing secret: whsec_ and base64 (decoded), or any string (its UTF-8 bytes); at least 16 bytes. Made (whsec_, 32 bytes) when absent"),
        events,
        registry_id: nullable("string", { format: "uuid" }),
        chart: nullable("string"),
        version_range: nullable("string"),
        include_prereleases: { type: "boolean", default: false },
        format,
      },
      ["name", "url", "events"],
    ),
    additionalProperties: false,
    description: "An unknown field is a 422",
  },
  SubscriptionPage: page("Subscription"),
  WebhookDelivery: object({
    id: { ...uuid, description: "The delivery id: the CloudEvent id and the webhook-id header, the same on every attempt" },
    event_type: str("version.ready, version.removed, sync.failing ..., or test"),
    status: { type: "string", enum: ["pending", "delivered", "failed"] },
    attempts: int,
    last_status_code: nullable("integer"),
    last_error: nullable("string"),
    next_attempt_at: { ...nullableTime, description: "When a pending delivery is tried next (first retry after CHARTHOUSE_WEBHOOK_RETRY_BASE_MS, doubling, for up to a day)" },
    created_at: time,
    updated_at: time,
  }),
  WebhookDeliveryPage: page("WebhookDelivery"),
  WebhookCloudEvent: {
    ...object(
      {
        specversion: { type: "string", enum: ["1.0"] },
        id: str("The delivery id (= webhook-id)"),
        type: str("dev.charthouse.version.ready, dev.charthouse.version.removed, dev.charthouse.sync.failing, dev.charthouse.test"),
        source: str("/registries/{registry_id} (/subscriptions/{id} for a test event)"),
        subject: str("chart/version, when the event is about one"),
        time,
        datacontenttype: { type: "string", enum: ["application/json"] },
        data: object({
          registry_id: nullable("string", { format: "uuid" }),
          registry: nullable("string"),
          chart: nullable("string"),
          version: nullable("string"),
          app_version: nullable("string"),
          digest: nullable("string"),
          previous_version: nullable("string"),
        }),
      },
      ["specversion", "id", "type", "source", "time", "datacontenttype", "data"],
    ),
    description:
      "The body of a cloudevents delivery (structured mode, application/cloudevents+json). Headers: webhook-id (the delivery id), webhook-timestamp (Unix seconds), webhook-signature: v1,<base64 HMAC-SHA256 of \"id.timestamp.body\"> with the secret (Standard Webhooks)",
  },
};

const notFound = errors[404];

/** The subscription routes. */
export const subscriptionPaths: Record<string, Record<string, OperationObject>> = {
  "/subscriptions": {
    get: op("listSubscriptions", "List watch rules (never their secrets); needs read", "subscriptions", { 200: { description: "A page of subscriptions", content: json(ref("SubscriptionPage")) }, 422: errors[422] }, { parameters: pageParams }),
    post: op(
      "createSubscription",
      "Create a watch rule: the notifier POSTs each matching event (only events after its creation) as a signed webhook; needs write",
      "subscriptions",
      {
        201: { description: "The subscription, with its secret (shown this once)", content: json(ref("CreatedSubscription")), headers: { Location: { schema: str() } } },
        422: problem("Invalid input (invalid_input, an unknown field included) or a refused target (forbidden_destination), with the field problems in errors"),
        503: problem("CHARTHOUSE_SECRET_KEY is not configured"),
      },
      { requestBody: { required: true, content: json(ref("SubscriptionCreate")) } },
    ),
  },
  "/subscriptions/{id}": {
    get: op("getSubscription", "Get a watch rule; needs read", "subscriptions", { 200: { description: "The subscription", content: json(ref("Subscription")) }, 404: notFound }, { parameters: [idParam("subscription")] }),
    delete: op("deleteSubscription", "Delete a watch rule and its deliveries; needs write", "subscriptions", { 204: { description: "Deleted" }, 404: notFound }, { parameters: [idParam("subscription")] }),
  },
  "/subscriptions/{id}/deliveries": {
    get: op(
      "listSubscriptionDeliveries",
      "A watch rule's deliveries, newest first; needs read",
      "subscriptions",
      { 200: { description: "A page of deliveries", content: json(ref("WebhookDeliveryPage")) }, 404: notFound, 422: errors[422] },
      { parameters: [idParam("subscription"), ...pageParams] },
    ),
  },
  "/subscriptions/{id}/test": {
    post: op(
      "testSubscription",
      "Queue a test event (type dev.charthouse.test) for the notifier to deliver like any other; needs write",
      "subscriptions",
      { 202: { description: "The pending delivery", content: json(ref("WebhookDelivery")) }, 404: notFound },
      { parameters: [idParam("subscription")] },
    ),
  },
};
