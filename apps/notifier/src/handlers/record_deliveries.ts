import {
  matchesSubscription,
  webhookDeliveryFor,
  type SubscriptionRule,
  type WatchedEventDescription,
  type WebhookEventData,
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
import type { SubscriptionRepository, SubscriptionRow, WebhookDeliveryRepository, WebhookEventReads, WebhookVersionFacts } from "@charthouse/db";
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

/** One event as the watch rules see it: the organisation, its type and registry, and when. */
interface EventHead {
  organizationId: string;
  type: WebhookEventType;
  registryId: string;
  at: Date;
}

/** What an event is about, one item per chart version (or one for a registry event). */
type EventItem = WatchedEventDescription & { key: string; chart: string | null; version: string | null };

/** An event: its head, known from the message, and its items, read from Postgres only when some subscription may want them. */
interface EventOccurrence {
  head: EventHead;
  items(): Promise<EventItem[]>;
}

/**
 * The notifier's consumer handler: turns an event into the watch rules' events (chart.version.ready
 * is version.ready; each version of chart.version.removed, .repushed and .deprecated a
 * version.removed, .repushed and .deprecated; a failed registry.sync.finished after a sync that
 * did not fail sync.failing), matches them against the organisation's subscriptions that existed
 * when it happened, and records one delivery per match (a replayed event records nothing more).
 * Other events, and events no subscription may want, are acknowledged without reading more.
 */
export function recordDeliveriesHandler(deps: RecordDeliveriesDependencies): MessageHandler<typeof catalogEvents.schema> {
  return {
    contract: catalogEvents,
    async handle(payload: unknown, context: DeliveryContext) {
      const occurrence = occurrenceOf(deps.reads, payload, context.subject);
      if (occurrence === null) return;
      const { head } = occurrence;
      const candidates = await deps.subscriptions.candidates(head.organizationId, head);
      if (candidates.length === 0) return;
      const drafts = (await occurrence.items()).flatMap((item) =>
        candidates
          .filter((subscription) => matchesSubscription(ruleOf(subscription), { ...head, chart: item.chart, version: item.version }))
          .map((subscription) => webhookDeliveryFor(subscription.id, item)),
      );
      const recorded = await deps.deliveries.record(drafts);
      if (recorded > 0) {
        deps.metrics.recorded(recorded);
        context.log.debug({ recorded, type: head.type, registryId: head.registryId }, "Webhook deliveries recorded");
      }
    },
  };
}

function occurrenceOf(reads: RecordDeliveriesDependencies["reads"], payload: unknown, subject: string | undefined): EventOccurrence | null {
  if (subject === undefined) throw new InputError("The notifier cannot tell an event without its subject");
  if (subject === chartVersionReady.subject) return readyOccurrence(reads, validatePayload(chartVersionReady, payload));
  if (subject === chartVersionRemoved.subject) return versionsOccurrence(reads, "version.removed", validatePayload(chartVersionRemoved, payload));
  if (subject === chartVersionRepushed.subject) return versionsOccurrence(reads, "version.repushed", validatePayload(chartVersionRepushed, payload));
  if (subject === chartVersionDeprecated.subject) return versionsOccurrence(reads, "version.deprecated", validatePayload(chartVersionDeprecated, payload));
  if (subject === registrySyncFinished.subject) return failingOccurrence(reads, validatePayload(registrySyncFinished, payload));
  return null;
}

function headOf(event: { organizationId: string; registryId: string; at: string }, type: WebhookEventType): EventHead {
  return { organizationId: event.organizationId, type, registryId: event.registryId, at: new Date(event.at) };
}

function readyOccurrence(reads: RecordDeliveriesDependencies["reads"], event: ChartVersionEvent): EventOccurrence {
  const head = headOf(event, "version.ready");
  return {
    head,
    async items() {
      const [facts] = await reads.versions([event.versionId]);
      if (facts === undefined) return [];
      return [
        {
          type: "version.ready",
          // The version with these bytes: a replayed ready event is the same event, a re-pushed digest a new one.
          key: `${event.versionId}:ready:${facts.digest ?? ""}`,
          time: head.at,
          chart: facts.chart,
          version: facts.version,
          data: { ...dataOf(facts), previous_version: event.summary?.previousVersion ?? null },
        },
      ];
    },
  };
}

/** The versions of one chart.version.removed, .repushed or .deprecated message, each its own event. */
function versionsOccurrence(
  reads: RecordDeliveriesDependencies["reads"],
  type: "version.removed" | "version.repushed" | "version.deprecated",
  event: ChartVersionsEvent,
): EventOccurrence {
  const head = headOf(event, type);
  return {
    head,
    async items() {
      const facts = await reads.versions(event.versions.map((v) => v.versionId));
      return facts.map((f) => ({
        type,
        // A re-push is told once per new digest; the others once per message.
        key: type === "version.repushed" ? `${f.version_id}:repushed:${f.digest ?? ""}` : `${f.version_id}:${type}:${event.at}`,
        time: head.at,
        chart: f.chart,
        version: f.version,
        data: { ...dataOf(f), previous_version: null },
      }));
    },
  };
}

function failingOccurrence(reads: RecordDeliveriesDependencies["reads"], event: RegistrySyncEvent): EventOccurrence | null {
  if (event.outcome !== "failed") return null;
  const head = headOf(event, "sync.failing");
  return {
    head,
    async items() {
      // Once per stretch of failures: a registry that keeps failing every interval says so once.
      if (await reads.failedBefore(event.registryId, event.syncRunId)) return [];
      const registry = await reads.registryName(event.registryId);
      if (registry === null) return [];
      const error = event.error === null ? null : { code: event.error.code, message: event.error.message };
      return [
        {
          type: "sync.failing",
          key: `${event.syncRunId}:failing`,
          time: head.at,
          chart: null,
          version: null,
          data: { registry_id: event.registryId, registry, chart: null, version: null, app_version: null, digest: null, previous_version: null, error },
        },
      ];
    },
  };
}

function dataOf(facts: WebhookVersionFacts): Omit<WebhookEventData, "previous_version"> {
  return {
    registry_id: facts.registry_id,
    registry: facts.registry,
    chart: facts.chart,
    version: facts.version,
    app_version: facts.app_version,
    digest: facts.digest,
  };
}

function ruleOf(row: SubscriptionRow): SubscriptionRule {
  return {
    events: row.events,
    registryId: row.registry_id,
    chart: row.chart,
    versionRange: row.version_range,
    includePrereleases: row.include_prereleases,
    createdAt: row.created_at,
  };
}
