import { syncRequestedHttp, syncRequestedOci } from "@charthouse/contracts";
import { sqlClientOf, SyncRunRepository, type DataSource } from "@charthouse/db";
import type { Publisher } from "@charthouse/messaging";

/** A sync the API asked for: its run id and whether an active one was reused. */
export interface RequestedSyncRun {
  syncRunId: string;
  reused: boolean;
}

/**
 * Asks for a sync of a registry now and publishes its request. A run already queued or running
 * is reused and published again: its message id (registryId:syncRunId) lets JetStream drop the
 * duplicate, and a message lost before it was published gets a second chance.
 */
export async function requestSync(
  db: DataSource,
  publisher: Publisher,
  request: { registryId: string; trigger: "manual" | "create" },
): Promise<RequestedSyncRun> {
  const run = await new SyncRunRepository(sqlClientOf(db)).request(request.registryId, request.trigger);
  await publisher.publish(run.kind === "oci_registry" ? syncRequestedOci : syncRequestedHttp, {
    registryId: run.registryId,
    syncRunId: run.syncRunId,
    trigger: run.trigger,
    requestedAt: run.requestedAt,
  });
  return { syncRunId: run.syncRunId, reused: run.reused };
}
