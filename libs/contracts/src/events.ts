import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const storedErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  cause: z.string().nullable(),
  solution: z.string(),
});

const versionEventSchema = z.object({
  organizationId: z.uuid(),
  registryId: z.uuid(),
  versionId: z.uuid(),
  chart: z.string(),
  version: z.string(),
  error: storedErrorSchema.nullable(),
  at: z.iso.datetime(),
});

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
export const registrySyncStarted = syncEvent("started");
export const registrySyncFinished = syncEvent("finished");

/** The payload of chart.version.* events. */
export type ChartVersionEvent = z.infer<typeof versionEventSchema>;
/** The payload of registry.sync.* events. */
export type RegistrySyncEvent = z.infer<typeof syncEventSchema>;
