import { z } from "zod";
import { defineContract } from "./contract.ts";
import { streams } from "./streams.ts";

const syncRequestedSchema = z.object({
  registryId: z.uuid(),
  syncRunId: z.uuid(),
  trigger: z.enum(["schedule", "manual", "create"]),
  requestedAt: z.iso.datetime(),
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
