import type { SubscriptionJson, WebhookDeliveryJson } from "@charthouse/api-types";
import type { SubscriptionRow, WebhookDeliveryRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { decodeOffsetCursor, encodeOffsetCursor, keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";

/** One page of an organisation's subscriptions, ordered by name then id. */
export async function listSubscriptions(db: ApiRepositories, organizationId: string, page: PageRequest): Promise<Page<SubscriptionJson>> {
  return keysetPage(await db.subscriptions.list(organizationId, keysetSliceOf(page)), page.limit, subscriptionJson);
}

/** One subscription of the organisation (never its secret); another organisation's is not found. */
export async function getSubscription(db: ApiRepositories, organizationId: string, id: string): Promise<SubscriptionJson> {
  const row = await db.subscriptions.get(organizationId, id);
  if (!row) throw new NotFoundError(`No subscription with id ${id}`);
  return subscriptionJson(row);
}

/** One page of a subscription's deliveries, newest first. */
export async function listDeliveries(
  db: ApiRepositories,
  organizationId: string,
  subscriptionId: string,
  page: PageRequest,
): Promise<Page<WebhookDeliveryJson>> {
  await getSubscription(db, organizationId, subscriptionId);
  const offset = decodeOffsetCursor(page.cursor);
  const rows = await db.webhookDeliveries.listForSubscription(organizationId, subscriptionId, { offset, limit: page.limit + 1 });
  return {
    items: rows.slice(0, page.limit).map(deliveryJson),
    next_cursor: rows.length > page.limit ? encodeOffsetCursor(offset + page.limit) : null,
  };
}

/** One delivery of the organisation's subscriptions. */
export async function getDelivery(db: ApiRepositories, organizationId: string, id: string): Promise<WebhookDeliveryJson> {
  const row = await db.webhookDeliveries.get(organizationId, id);
  if (!row) throw new NotFoundError(`No delivery with id ${id}`);
  return deliveryJson(row);
}

function subscriptionJson(row: SubscriptionRow): SubscriptionJson {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    events: row.events as SubscriptionJson["events"],
    registry_id: row.registry_id,
    chart: row.chart,
    version_range: row.version_range,
    include_prereleases: row.include_prereleases,
    format: row.format === "slack" ? "slack" : "cloudevents",
    created_at: row.created_at.toISOString(),
  };
}

function deliveryJson(row: WebhookDeliveryRow): WebhookDeliveryJson {
  return {
    id: row.id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
