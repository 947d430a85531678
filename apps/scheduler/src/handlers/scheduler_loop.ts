import type { SyncRunRepository } from "@charthouse/db";
import type { MessagePublisher } from "@charthouse/contracts";
import type { Logger } from "@charthouse/logging";
import { publishSyncRequests } from "./publish_sync_requests.ts";
import { recoverVersions, type RecoverableVersions, type VersionRecoveryOptions } from "./version_recovery.ts";

/** What the scheduler loop reads, writes and publishes. */
export interface SchedulerLoopDependencies {
  syncRuns: Pick<SyncRunRepository, "claimDue" | "findStalled">;
  versions: RecoverableVersions;
  publisher: MessagePublisher;
  log: Pick<Logger, "debug" | "info" | "warn" | "error">;
}

/** Options of the scheduler loop. */
export interface SchedulerLoopOptions {
  tickMs: number;
  batch: number;
  republishAfterSeconds: number;
  abandonAfterSeconds: number;
  /** How often stalled syncs and stuck or failed versions are looked for. */
  recoveryIntervalMs: number;
  recovery: Omit<VersionRecoveryOptions, "batch">;
}

/** A running scheduler loop. */
export interface SchedulerLoop {
  stop(): Promise<void>;
}

/**
 * Every tick: claim due registries (as many batches as are due) and publish their sync
 * requests; every recovery interval, publish again the syncs whose message was lost, and the
 * next message of versions stuck on their way, and re-open versions failed for a passing reason.
 * Claims are row locks, so any number of schedulers can run this at once.
 */
export function startSchedulerLoop(deps: SchedulerLoopDependencies, options: SchedulerLoopOptions): SchedulerLoop {
  const { syncRuns, publisher, log } = deps;
  let stopped = false;
  let lastRecovery = 0;
  let wake: (() => void) | undefined;

  const tick = async (): Promise<void> => {
    for (;;) {
      const due = await syncRuns.claimDue(options.batch);
      if (due.length === 0) break;
      await publishSyncRequests(publisher, due);
      log.debug({ count: due.length }, "Published scheduled syncs");
      if (due.length < options.batch || stopped) break;
    }
    if (Date.now() - lastRecovery > options.recoveryIntervalMs) {
      lastRecovery = Date.now();
      const stalled = await syncRuns.findStalled(options);
      if (stalled.length > 0) {
        await publishSyncRequests(publisher, stalled);
        log.warn({ count: stalled.length }, "Published stalled syncs again");
      }
      const recovered = await recoverVersions(deps.versions, publisher, { ...options.recovery, batch: options.batch });
      if (recovered.republished > 0) log.warn({ count: recovered.republished }, "Published the next step of stuck versions again");
      if (recovered.retried > 0) log.info({ count: recovered.retried }, "Queued failed versions for another try");
    }
  };

  const running = (async () => {
    while (!stopped) {
      try {
        await tick();
      } catch (err) {
        log.error({ error: err instanceof Error ? err.message : String(err) }, "Scheduler tick failed; trying again next tick");
      }
      // stop() during a tick finds no pause to cut short: the loop must not start one.
      if (stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.tickMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
