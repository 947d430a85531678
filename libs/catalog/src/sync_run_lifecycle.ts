import { registrySyncFinished, registrySyncStarted, type SyncRequested } from "@charthouse/contracts";
import type { LeasedSync, SyncResult, SyncRunRepository } from "@charthouse/db";
import { toStoredError, UpstreamError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import type { Publisher } from "@charthouse/messaging";

/** What a fetcher's sync run needs to report its progress. */
export interface SyncRunDependencies {
  syncRuns: SyncRunRepository;
  publisher: Publisher;
}

/**
 * Takes the lease on the requested sync and announces that it began (registry.sync.started).
 * Null, logged, when the sync is finished or another copy runs it right now (a duplicate delivery).
 */
export async function startSync(
  deps: SyncRunDependencies,
  payload: SyncRequested,
  context: { log: Logger },
): Promise<{ leased: LeasedSync; log: Logger } | null> {
  const leased = await deps.syncRuns.lease(payload.syncRunId);
  if (!leased) {
    context.log.info("Sync already finished or running elsewhere; skipped");
    return null;
  }
  await publishSyncEvent(deps, registrySyncStarted, leased, null);
  return { leased, log: context.log.child({ registryId: leased.registry.id, syncRunId: leased.syncRunId }) };
}

/** Records a successful sync on its run and registry, then announces it (registry.sync.finished). */
export async function finishSync(deps: SyncRunDependencies, leased: LeasedSync, result: SyncResult): Promise<void> {
  await deps.syncRuns.finish(leased.syncRunId, result);
  await publishSyncEvent(deps, registrySyncFinished, leased, result);
}

/**
 * The retry and give-up handling every fetcher's sync shares: a retried attempt shows its error
 * on the registry meanwhile; a sync that failed for good is recorded and announced as finished.
 */
export function syncFailureHandling(deps: SyncRunDependencies): {
  onRetry(payload: SyncRequested, error: unknown): Promise<void>;
  onGiveUp(payload: SyncRequested, error: unknown): Promise<void>;
} {
  return {
    async onRetry(payload, error) {
      await deps.syncRuns.recordRetry(payload.syncRunId, toStoredError(error));
    },
    async onGiveUp(payload, error) {
      const stored = toStoredError(error);
      const failed = await deps.syncRuns.fail(payload.syncRunId, stored, error instanceof UpstreamError ? error.status : null);
      if (failed) {
        await deps.publisher.publish(registrySyncFinished, {
          ...failed,
          syncRunId: payload.syncRunId,
          outcome: "failed",
          versionsAdded: 0,
          versionsRemoved: 0,
          error: stored,
          at: new Date().toISOString(),
        });
      }
    },
  };
}

async function publishSyncEvent(
  deps: SyncRunDependencies,
  contract: typeof registrySyncStarted,
  leased: LeasedSync,
  result: SyncResult | null,
): Promise<void> {
  await deps.publisher.publish(contract, {
    organizationId: leased.registry.organizationId,
    registryId: leased.registry.id,
    syncRunId: leased.syncRunId,
    outcome: result?.outcome ?? null,
    versionsAdded: result?.versionsAdded ?? 0,
    versionsRemoved: result?.versionsRemoved ?? 0,
    error: null,
    at: new Date().toISOString(),
  });
}
