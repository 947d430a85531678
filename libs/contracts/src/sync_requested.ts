import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const syncRequestedSchema = z.object({
  registryId: z.uuid(),
  syncRunId: z.uuid(),
  trigger: z.enum(["schedule", "manual", "create", "push"]),
  requestedAt: z.iso.datetime(),
  /**
   * The one OCI repository a push event named (`ns/chart`, a path on the registry's host): an OCI
   * sync may read just it. Absent, or on an HTTP registry, the whole registry is synced.
   */
  repository: z.string().min(1).max(255).optional(),
});

/** Sync this HTTP chart repository now (scheduler, or the API on create and manual sync). */
export const syncRequestedHttp = defineContract({
  subject: "sync.requested.http.v1",
  stream: streams.SYNC.name,
  schema: syncRequestedSchema,
  messageId: (p) => `${p.registryId}:${p.syncRunId}`,
});

/** Sync this OCI registry now. */
export const syncRequestedOci = defineContract({
  subject: "sync.requested.oci.v1",
  stream: streams.SYNC.name,
  schema: syncRequestedSchema,
  messageId: (p) => `${p.registryId}:${p.syncRunId}`,
});

/** The payload of both sync requests. */
export type SyncRequested = z.infer<typeof syncRequestedSchema>;
