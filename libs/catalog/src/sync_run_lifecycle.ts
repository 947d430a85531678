import { registrySyncFinished, registrySyncStarted, type MessagePublisher, type SyncRequested } from "@charthouse/contracts";
import { DeferredError, toStoredError, UpstreamError } from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";
import { LEASE_RENEW_MS, type LeasedSync, type SyncResult, type SyncRunStore } from "./sync_run.ts";
import { SyncStartAnnouncement } from "./sync_start_announcement.ts";

/** What a fetcher's sync run needs to report its progress. */
export interface SyncRunDependencies<Credential = unknown> {
  syncRuns: SyncRunStore<Credential>;
  publisher: MessagePublisher;
}

/** A sync this delivery holds the lease of, with a logger that names it. */
export interface StartedSync<Credential = unknown> {
  leased: LeasedSync<Credential>;
  log: Logger;
  /** Its registry.sync.started: announce() it before writing any change (see SyncStartAnnouncement). */
  start: SyncStartAnnouncement;
}

/** The triggers of a sync a user asked for and watches: its start is announced at once. */
const watchedTriggers: ReadonlySet<SyncRequested["trigger"]> = new Set(["manual", "create"]);

/**
 * Runs `work` on the requested sync while holding its lease, renewed every few seconds so that
 * a copy that dies frees the sync quickly. Its start (registry.sync.started) is announced at
 * once when a user asked for it, else as SyncStartAnnouncement says. A sync that is finished is skipped; one another copy is running right
 * now is deferred until its lease would run out, so that it is taken over if that copy died.
 */
export async function runLeasedSync<Credential>(
  deps: SyncRunDependencies<Credential>,
  payload: SyncRequested,
  context: { log: Logger },
  work: (started: StartedSync<Credential>) => Promise<void>,
): Promise<void> {
  const attempt = await deps.syncRuns.lease(payload.syncRunId);
  if (attempt.kind === "done") {
    context.log.info("Sync already finished; skipped");
    return;
  }
  if (attempt.kind === "held") {
    throw new DeferredError(`Sync ${payload.syncRunId} is running in another copy`, {
      code: "unavailable",
      retryAfterMs: Math.max(1_000, attempt.retryAfterMs),
    });
  }
  const leased = attempt.sync;
  const log = context.log.child({ registryId: leased.registry.id, syncRunId: leased.syncRunId });
  const keeper = setInterval(() => {
    deps.syncRuns.renewLease(leased.syncRunId).catch((err: unknown) => {
      log.warn({ error: err instanceof Error ? err.message : String(err) }, "Cannot renew the sync's lease");
    });
  }, LEASE_RENEW_MS);
  const start = new SyncStartAnnouncement(() => publishSyncEvent(deps, registrySyncStarted, leased, null), {
    onLateFailure: (err) => log.warn({ error: err instanceof Error ? err.message : String(err) }, "Cannot announce the sync's start yet"),
  });
  try {
    if (watchedTriggers.has(payload.trigger)) await start.announce();
    await work({ leased, log, start });
  } finally {
    clearInterval(keeper);
    start.stop();
  }
}

/**
 * Records a successful sync on its run and registry and announces it (registry.sync.finished,
 * after its start), unless it is a quiet one: unchanged and never announced (see SyncStartAnnouncement).
 */
export async function finishSync(deps: SyncRunDependencies, { leased, start }: StartedSync, result: SyncResult): Promise<void> {
  const announced = await start.beforeFinish(result.outcome !== "unchanged");
  await deps.syncRuns.finish(leased.syncRunId, result);
  if (announced) await publishSyncEvent(deps, registrySyncFinished, leased, result);
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
  leased: LeasedSync<unknown>,
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
