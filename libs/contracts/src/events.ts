import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const storedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  cause: z.string().nullable(),
  solution: z.string(),
});

const count = z.number().int().nonnegative();

/** What a version changed against the previous ready version of its chart by semver (leaf counts). */
const versionSummarySchema = z.object({
  previousVersion: z.string(),
  valuesAdded: count,
  valuesRemoved: count,
  valuesChanged: count,
  imagesChanged: count,
  major: z.boolean(),
});

const versionEventSchema = z.object({
  organizationId: z.uuid(),
  registryId: z.uuid(),
  versionId: z.uuid(),
  chart: z.string(),
  version: z.string(),
  error: storedErrorSchema.nullable(),
  /** chart.version.ready only: null for a chart's first ready version, or when it could not be computed. */
  summary: versionSummarySchema.nullable().optional(),
  at: z.iso.datetime(),
});

/**
 * The versions of one chart a fetcher stored or tombstoned in one go. One message per chart (and
 * per 200 of its versions), not per version: a cold sync of a large index lists tens of thousands,
 * and an acknowledged publish each would cost more than writing them. Live views fan it out as
 * one event per version.
 */
const chartVersionsEventSchema = z.object({
  organizationId: z.uuid(),
  registryId: z.uuid(),
  chart: z.string(),
  versions: z
    .array(z.object({ versionId: z.uuid(), version: z.string() }))
    .min(1)
    .max(200),
  at: z.iso.datetime(),
});

/** Most versions one chart.version.discovered/removed message carries. */
export const maxVersionsPerEvent = 200;

const syncEventSchema = z.object({
  organizationId: z.uuid(),
  registryId: z.uuid(),
  syncRunId: z.uuid(),
  outcome: z.enum(["updated", "unchanged", "failed"]).nullable(),
  versionsAdded: z.number().int().nonnegative(),
  versionsRemoved: z.number().int().nonnegative(),
  error: storedErrorSchema.nullable(),
  at: z.iso.datetime(),
});

function versionEvent(name: string) {
  return defineContract({
    subject: `chart.version.${name}.v1`,
    stream: streams.EVENTS.name,
    schema: versionEventSchema,
    messageId: (p) => `${p.versionId}:${name}:${p.at}`,
  });
}

function chartVersionsEvent(name: string) {
  return defineContract({
    subject: `chart.version.${name}.v1`,
    stream: streams.EVENTS.name,
    schema: chartVersionsEventSchema,
    // The first version id tells apart the messages of one chart's several batches.
    messageId: (p) => `${p.versions[0]?.versionId ?? p.chart}:${name}:${p.at}`,
  });
}

function syncEvent(name: string) {
  return defineContract({
    subject: `registry.sync.${name}.v1`,
    stream: streams.EVENTS.name,
    schema: syncEventSchema,
    messageId: (p) => `${p.syncRunId}:${name}`,
  });
}

/** Events for live views (SSE): what happened to a version or a sync, per organisation. */
export const chartVersionReady = versionEvent("ready");
export const chartVersionFailed = versionEvent("failed");
/** A fetcher stored new versions of a chart, or re-published ones (new digest, or back after removal). */
export const chartVersionDiscovered = chartVersionsEvent("discovered");
/** A fetcher tombstoned versions of a chart its registry no longer lists. */
export const chartVersionRemoved = chartVersionsEvent("removed");
/** A fetcher found stored versions published again under another digest (not those back after removal). For watch rules; not in the live feed. */
export const chartVersionRepushed = chartVersionsEvent("repushed");
/** A fetcher found stored versions newly marked deprecated in their registry. For watch rules; not in the live feed. */
export const chartVersionDeprecated = chartVersionsEvent("deprecated");
export const registrySyncStarted = syncEvent("started");
export const registrySyncFinished = syncEvent("finished");

/** The contract of chart.version.discovered.v1 and chart.version.removed.v1 (one payload shape). */
export type ChartVersionsEventContract = typeof chartVersionDiscovered;

/** Every event of the EVENTS stream, for consumers that read them all (the API's SSE feed). */
export const liveEvents = [
  registrySyncStarted,
  registrySyncFinished,
  chartVersionDiscovered,
  chartVersionReady,
  chartVersionFailed,
  chartVersionRemoved,
] as const;

/** The payload of chart.version.ready/failed events. */
export type ChartVersionEvent = z.infer<typeof versionEventSchema>;
/** The summary a chart.version.ready event carries. */
export type ChartVersionSummary = z.infer<typeof versionSummarySchema>;
/** The payload of chart.version.discovered/removed events: one chart's versions. */
export type ChartVersionsEvent = z.infer<typeof chartVersionsEventSchema>;
/** The payload of registry.sync.* events. */
export type RegistrySyncEvent = z.infer<typeof syncEventSchema>;
