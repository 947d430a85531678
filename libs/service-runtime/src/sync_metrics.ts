import { DeferredError } from "@charthouse/errors";
import { Counter, Histogram, type Registry } from "prom-client";

/** How a sync attempt ended: new or changed versions, nothing to do, or an error. */
export type SyncOutcome = "updated" | "unchanged" | "failed";

/** Where a fetcher's handler reports its syncs; a plain object in tests, prom-client in services. */
export interface SyncRecorder {
  syncEnded(outcome: SyncOutcome, seconds: number): void;
}

/**
 * charthouse_syncs_total{kind,outcome} and charthouse_sync_duration_seconds{kind,outcome} on a
 * service's /metrics. Labels are bounded: never a registry's name or id.
 */
export function syncMetrics(registry: Registry, kind: "http" | "oci"): SyncRecorder {
  const syncs = new Counter({
    name: "charthouse_syncs_total",
    help: "Sync attempts by registry kind and outcome (updated, unchanged, failed)",
    labelNames: ["kind", "outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "charthouse_sync_duration_seconds",
    help: "Time one sync attempt took, from its lease to its end",
    labelNames: ["kind", "outcome"],
    buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 180, 600],
    registers: [registry],
  });
  for (const outcome of ["updated", "unchanged", "failed"] as const) syncs.inc({ kind, outcome }, 0);
  return {
    syncEnded(outcome, seconds) {
      syncs.inc({ kind, outcome });
      duration.observe({ kind, outcome }, seconds);
    },
  };
}

/**
 * Runs one sync attempt and reports it: the outcome `run` returns (undefined: nothing was
 * synced, e.g. the sync had already finished), or `failed` when it throws. A deferral (another
 * copy holds the sync, a host's circuit is open) is not an attempt and is not counted.
 */
export async function recordSync(recorder: SyncRecorder | undefined, run: () => Promise<SyncOutcome | undefined>): Promise<void> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  let outcome: SyncOutcome | undefined;
  try {
    outcome = await run();
  } catch (err) {
    if (!(err instanceof DeferredError)) recorder?.syncEnded("failed", seconds());
    throw err;
  }
  if (outcome !== undefined) recorder?.syncEnded(outcome, seconds());
}
