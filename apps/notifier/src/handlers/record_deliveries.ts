import {
  matchesSubscription,
  webhookDeliveryFor,
  type WatchedEventDescription,
  type WebhookEventType,
} from "@charthouse/catalog";
import {
  chartVersionDeprecated,
  chartVersionReady,
  chartVersionRemoved,
  chartVersionRepushed,
  defineContract,
  registrySyncFinished,
  streams,
  validatePayload,
  type ChartVersionEvent,
  type ChartVersionsEvent,
  type RegistrySyncEvent,
} from "@charthouse/contracts";
import type { SubscriptionRepository, SubscriptionRow, WebhookDeliveryRepository, WebhookEventReads } from "@charthouse/db";
import { InputError } from "@charthouse/errors";
import type { DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { z } from "zod";
import type { NotifierRecorder } from "./notifier_metrics.ts";

/**
 * Every message of the EVENTS stream, as the notifier's one durable consumer reads them. Each is
 * validated against its own event's contract in the handler, which knows it by its subject.
 */
export const catalogEvents = defineContract({
  subject: ">",
  stream: streams.EVENTS.name,
  schema: z.unknown(),
  messageId: () => {
    throw new TypeError("The notifier reads events; it never publishes catalogEvents");
  },
});

/** What the recorder reads and writes. */
export interface RecordDeliveriesDependencies {
  subscriptions: Pick<SubscriptionRepository, "candidates">;
  deliveries: Pick<WebhookDeliveryRepository, "record">;
  reads: Pick<WebhookEventReads, "versions" | "registryName" | "failedBefore">;
  metrics: NotifierRecorder;
}

/** One event as the watch rules see it: the organisation, its type and registry, and each chart version it is about. */
interface EventOccurrence {
  organizationId: string;
  type: WebhookEventType;
  registryId: string;
  at: Date;
  items: (WatchedEventDescription & { key: string; chart: string | null; version: string | null })[];
}

/**
 * The notifier's consumer handler: turns an event into the watch rules' events (chart.version.ready
 * is version.ready; each version of chart.version.removed, .repushed and .deprecated a
 * version.removed, .repushed and .deprecated; a failed registry.sync.finished after a sync that
 * did not fail sync.failing), matches them against the
 * organisation's subscriptions that existed when it happened, and records one delivery per match
 * (a replayed event records nothing more). Other events are acknowledged and left.
 */
export function recordDeliveriesHandler(deps: RecordDeliveriesDependencies): MessageHandler<typeof catalogEvents.schema> {
  return {
    contract: catalogEvents,
    async handle(payload: unknown, context: DeliveryContext) {
      const occurrence = await occurrenceOf(deps.reads, payload, context.subject);
      if (occurrence === null || occurrence.items.length === 0) return;
      const candidates = await deps.subscriptions.candidates(occurrence.organizationId, occurrence);
      const drafts = occurrence.items.flatMap((item) =>
        candidates
          .filter((subscription) => matchesSubscription(ruleOf(subscription), { ...occurrence, chart: item.chart, version: item.version }))
          .map((subscription) => webhookDeliveryFor(subscription.id, item)),
      );
      const recorded = await deps.deliveries.record(drafts);
      if (recorded > 0) {
        deps.metrics.recorded(recorded);
        context.log.debug({ recorded, type: occurrence.type, registryId: occurrence.registryId }, "Webhook deliveries recorded");
      }
    },
  };
}

async function occurrenceOf(reads: RecordDeliveriesDependencies["reads"], payload: unknown, subject: string | undefined): Promise<EventOccurrence | null> {
  if (subject === undefined) throw new InputError("The notifier cannot tell an event without its subject");
  if (subject === chartVersionReady.subject) return await readyOccurrence(reads, validatePayload(chartVersionReady, payload));
  if (subject === chartVersionRemoved.subject) return await versionsOccurrence(reads, "version.removed", validatePayload(chartVersionRemoved, payload));
  if (subject === chartVersionRepushed.subject) return await versionsOccurrence(reads, "version.repushed", validatePayload(chartVersionRepushed, payload));
  if (subject === chartVersionDeprecated.subject) {
    return await versionsOccurrence(reads, "version.deprecated", validatePayload(chartVersionDeprecated, payload));
  }
  if (subject === registrySyncFinished.subject) return await failingOccurrence(reads, validatePayload(registrySyncFinished, payload));
  return null;
}

async function readyOccurrence(reads: RecordDeliveriesDependencies["reads"], event: ChartVersionEvent): Promise<EventOccurrence> {
  const at = new Date(event.at);
  const [facts] = await reads.versions([event.versionId]);
  const base = { organizationId: event.organizationId, type: "version.ready" as const, registryId: event.registryId, at };
  if (facts === undefined) return { ...base, items: [] };
  const data = { ...facts, previous_version: event.summary?.previousVersion ?? null };
  return {
    ...base,
    items: [
      {
        type: "version.ready",
        // The version with these bytes: a replayed ready event is the same event, a re-pushed digest a new one.
        key: `${event.versionId}:ready:${facts.digest ?? ""}`,
        time: at,
        chart: facts.chart,
        version: facts.version,
        data: {
          registry_id: data.registry_id,
          registry: data.registry,
          chart: data.chart,
          version: data.version,
          app_version: data.app_version,
          digest: data.digest,
          previous_version: data.previous_version,
        },
      },
    ],
  };
}

/** The versions of one chart.version.removed, .repushed or .deprecated message, each its own event. */
async function versionsOccurrence(
  reads: RecordDeliveriesDependencies["reads"],
  type: "version.removed" | "version.repushed" | "version.deprecated",
  event: ChartVersionsEvent,
): Promise<EventOccurrence> {
  const at = new Date(event.at);
  const facts = await reads.versions(event.versions.map((v) => v.versionId));
  return {
    organizationId: event.organizationId,
    type,
    registryId: event.registryId,
    at,
    items: facts.map((f) => ({
      type,
      // A re-push is told once per new digest; the others once per message.
      key: type === "version.repushed" ? `${f.version_id}:repushed:${f.digest ?? ""}` : `${f.version_id}:${type}:${event.at}`,
      time: at,
      chart: f.chart,
      version: f.version,
      data: { registry_id: f.registry_id, registry: f.registry, chart: f.chart, version: f.version, app_version: f.app_version, digest: f.digest, previous_version: null },
    })),
  };
}

async function failingOccurrence(reads: RecordDeliveriesDependencies["reads"], event: RegistrySyncEvent): Promise<EventOccurrence | null> {
  if (event.outcome !== "failed") return null;
  // Once per stretch of failures: a registry that keeps failing every interval says so once.
  if (await reads.failedBefore(event.registryId, event.syncRunId)) return null;
  const registry = await reads.registryName(event.registryId);
  if (registry === null) return null;
  const at = new Date(event.at);
  const error = event.error === null ? null : { code: event.error.code, message: event.error.message };
  return {
    organizationId: event.organizationId,
    type: "sync.failing",
    registryId: event.registryId,
    at,
    items: [
      {
        type: "sync.failing",
        key: `${event.syncRunId}:failing`,
        time: at,
        chart: null,
        version: null,
        data: { registry_id: event.registryId, registry, chart: null, version: null, app_version: null, digest: null, previous_version: null, error },
      },
    ],
  };
}

function ruleOf(row: SubscriptionRow) {
  return {
    events: row.events,
    registryId: row.registry_id,
    chart: row.chart,
    versionRange: row.version_range,
    includePrereleases: row.include_prereleases,
    createdAt: row.created_at,
  };
}
