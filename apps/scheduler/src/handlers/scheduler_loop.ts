import type { SyncRunRepository } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import type { Publisher } from "@charthouse/messaging";
import { publishSyncRequests } from "./publish_sync_requests.ts";

/** Options of the scheduler loop. */
export interface SchedulerLoopOptions {
  tickMs: number;
  batch: number;
  republishAfterSeconds: number;
  abandonAfterSeconds: number;
}

/** A running scheduler loop. */
export interface SchedulerLoop {
  stop(): Promise<void>;
}

/**
 * Every tick: claim due registries (as many batches as are due) and publish their sync
 * requests; every minute, publish again the syncs whose message was lost. Claims are row locks,
 * so any number of schedulers can run this at once.
 */
export function startSchedulerLoop(
  syncRuns: SyncRunRepository,
  publisher: Publisher,
  log: Logger,
  options: SchedulerLoopOptions,
): SchedulerLoop {
  let stopped = false;
  let lastStalledCheck = 0;
  let wake: (() => void) | undefined;

  const tick = async (): Promise<void> => {
    for (;;) {
      const due = await syncRuns.claimDue(options.batch);
      if (due.length === 0) break;
      await publishSyncRequests(publisher, due);
      log.debug({ count: due.length }, "Published scheduled syncs");
      if (due.length < options.batch || stopped) break;
    }
    if (Date.now() - lastStalledCheck > 60_000) {
      lastStalledCheck = Date.now();
      const stalled = await syncRuns.findStalled(options);
      if (stalled.length > 0) {
        await publishSyncRequests(publisher, stalled);
        log.warn({ count: stalled.length }, "Published stalled syncs again");
      }
    }
  };

  const running = (async () => {
    while (!stopped) {
      try {
        await tick();
      } catch (err) {
        log.error({ err }, "Scheduler tick failed; trying again next tick");
      }
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
