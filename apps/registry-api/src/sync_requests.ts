import { queueReopenedVersions } from "@charthouse/catalog";
import { syncRequestedHttp, syncRequestedOci, type SyncRequested } from "@charthouse/contracts";
import type { RequestedSync } from "@charthouse/db";
import type { Publisher } from "@charthouse/messaging";
import type { ApiRepositories } from "./api_repositories.ts";

/** A sync the API asked for: its run id, whether an active one was reused, and failed versions queued again. */
export interface RequestedSyncRun {
  syncRunId: string;
  reused: boolean;
  versionsRetried: number;
}

/**
 * Asks for a sync of a registry now and publishes its request. A run already queued or running
 * is reused and published again: its message id (registryId:syncRunId) lets JetStream drop the
 * duplicate, and a message lost before it was published gets a second chance. A manual sync
 * ("Sync now") also tries every failed version of the registry again.
 */
export async function requestSync(
  db: ApiRepositories,
  publisher: Publisher,
  request: { registryId: string; trigger: "manual" | "push"; repository?: string },
): Promise<RequestedSyncRun> {
  const run = await db.syncRuns.request(request.registryId, request.trigger);
  await publisher.publish(run.kind === "oci_registry" ? syncRequestedOci : syncRequestedHttp, {
    ...syncRequestOf(run),
    // A run already under way for the whole registry is not narrowed to one repository.
    ...(request.repository === undefined || run.reused ? {} : { repository: request.repository }),
  });
  let versionsRetried = 0;
  if (request.trigger === "manual") {
    const reopened = await db.chartVersions.reopenFailed(request.registryId);
    versionsRetried = await queueReopenedVersions(publisher, reopened);
  }
  return { syncRunId: run.syncRunId, reused: run.reused, versionsRetried };
}

/**
 * Requests and publishes the first sync of registries just created, in one statement and one
 * pipelined publish whatever their number. Returns how many requests went out. When publishing
 * fails the runs stay recorded, and the scheduler publishes runs whose message never arrived
 * (CHARTHOUSE_SYNC_REPUBLISH_AFTER_SECONDS).
 */
export async function requestFirstSyncs(db: ApiRepositories, publisher: Publisher, registryIds: readonly string[]): Promise<number> {
  const runs = await db.syncRuns.requestFirst(registryIds);
  const oci = runs.filter((run) => run.kind === "oci_registry").map(syncRequestOf);
  const http = runs.filter((run) => run.kind !== "oci_registry").map(syncRequestOf);
  return (await publisher.publishMany(syncRequestedOci, oci)) + (await publisher.publishMany(syncRequestedHttp, http));
}

function syncRequestOf(run: RequestedSync): SyncRequested {
  return { registryId: run.registryId, syncRunId: run.syncRunId, trigger: run.trigger, requestedAt: run.requestedAt };
}
