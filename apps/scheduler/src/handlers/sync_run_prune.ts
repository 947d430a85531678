import type { SyncRunPruning, SyncRunRetention } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import { Counter, type Registry } from "prom-client";
import { startPeriodicTask, type PeriodicTask } from "./periodic_task.ts";

/** Postgres as the pruning sees it (pruneSyncRuns of @charthouse/db). */
export interface PrunableSyncRuns {
  /** Stops between two batches once `signal` is aborted. */
  prune(retention: SyncRunRetention, signal?: AbortSignal): Promise<SyncRunPruning>;
}

/** The pruning's metric on /metrics. */
export interface SyncRunPruneMetrics {
  record(result: SyncRunPruning): void;
}

/** Registers the pruned sync runs counter on a service's metrics registry. */
export function syncRunPruneMetrics(registry: Registry): SyncRunPruneMetrics {
  const pruned = new Counter({
    name: "charthouse_sync_runs_pruned_total",
    help: "Finished sync runs deleted once past their retention",
    registers: [registry],
  });
  return {
    record(result) {
      pruned.inc(result.deleted);
    },
  };
}

/** Settings of the sync history pruning. */
export type SyncRunPruneOptions = SyncRunRetention & {
  log: Pick<Logger, "debug" | "info" | "error">;
  metrics?: SyncRunPruneMetrics;
};

/**
 * Prunes the sync history once and says so: one info line when runs were deleted, a debug line
 * when none were or another copy of the scheduler was pruning (a quiet fleet logs nothing).
 */
export async function pruneSyncHistory(
  syncRuns: PrunableSyncRuns,
  options: SyncRunPruneOptions & { signal?: AbortSignal },
): Promise<SyncRunPruning> {
  const started = Date.now();
  const result = await syncRuns.prune({ retentionDays: options.retentionDays, keep: options.keep }, options.signal);
  options.metrics?.record(result);
  const ms = Date.now() - started;
  if (result.busy) options.log.debug({ ms }, "Sync runs not pruned: another scheduler is pruning them");
  else if (result.deleted > 0) options.log.info({ deleted: result.deleted, ms }, "Pruned old sync runs");
  else options.log.debug({ deleted: 0, ms }, "No sync runs to prune");
  return result;
}

/**
 * Runs pruneSyncHistory every `intervalMs` (the first one interval after start); stop() ends a
 * pruning under way after its current batch, so a long backlog never holds up a shutdown.
 */
export function startSyncRunPrune(syncRuns: PrunableSyncRuns, options: SyncRunPruneOptions & { intervalMs: number }): PeriodicTask {
  return startPeriodicTask(
    async (signal) => {
      await pruneSyncHistory(syncRuns, { ...options, signal });
    },
    { intervalMs: options.intervalMs, onError: (err) => options.log.error({ err }, "Pruning sync runs failed; trying again next interval") },
  );
}
