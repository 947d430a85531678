import { ArchiveReferences, ChartVersionRepository, pruneSyncRuns, purgeVersionTombstones, SyncRunRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { loadServiceConfig, openConnections, runService, startHealthEndpoints, startTracing } from "@charthouse/service-runtime";
import { loadSchedulerConfig } from "./config.ts";
import { startSchedulerLoop } from "./handlers/scheduler_loop.ts";
import { startStorageSweep, storageSweepMetrics } from "./handlers/archive_sweep.ts";
import { startSyncRunPrune, syncRunPruneMetrics } from "./handlers/sync_run_prune.ts";
import { Registry as MetricsRegistry } from "prom-client";

const config = loadServiceConfig("scheduler", loadSchedulerConfig);
const log = createLogger("scheduler", { level: config.LOG_LEVEL });
const tracing = await startTracing("scheduler", { log });

runService(log, async () => {
  const connections = await openConnections("scheduler", config, log);
  const loop = startSchedulerLoop(
    {
      syncRuns: new SyncRunRepository(connections.db),
      versions: new ChartVersionRepository(connections.db),
      publisher: connections.publisher,
      log,
    },
    {
      tickMs: config.CHARTHOUSE_SCHEDULER_TICK_MS,
      batch: config.CHARTHOUSE_SCHEDULER_BATCH,
      republishAfterSeconds: config.CHARTHOUSE_SYNC_REPUBLISH_AFTER_SECONDS,
      abandonAfterSeconds: config.CHARTHOUSE_SYNC_ABANDON_AFTER_SECONDS,
      recoveryIntervalMs: config.CHARTHOUSE_RECOVERY_INTERVAL_SECONDS * 1000,
      recovery: {
        stuckAfterSeconds: config.CHARTHOUSE_STUCK_VERSION_SECONDS,
        failedRetryAfterSeconds: config.CHARTHOUSE_FAILED_RETRY_SECONDS,
      },
    },
  );
  const metrics = new MetricsRegistry();
  const archiveReferences = new ArchiveReferences(connections.db);
  const storageSweep = startStorageSweep(
    connections.archives,
    {
      unreferenced: (candidates) => archiveReferences.unreferenced(candidates),
      collectArchive: (sha256, remove) => archiveReferences.collectArchive(sha256, remove),
      purgeTombstones: (days) => purgeVersionTombstones(connections.db, days),
    },
    {
      intervalMs: config.CHARTHOUSE_STORAGE_SWEEP_INTERVAL_SECONDS * 1000,
      graceSeconds: config.CHARTHOUSE_ARCHIVE_GC_GRACE_SECONDS,
      tombstoneRetentionDays: config.CHARTHOUSE_TOMBSTONE_RETENTION_DAYS,
      log,
      metrics: storageSweepMetrics(metrics),
    },
  );
  const syncRunPrune = startSyncRunPrune(
    { prune: (retention, signal) => pruneSyncRuns(connections.db, retention, { signal }) },
    {
      intervalMs: config.CHARTHOUSE_SYNC_RUN_PRUNE_INTERVAL_SECONDS * 1000,
      retentionDays: config.CHARTHOUSE_SYNC_RUN_RETENTION_DAYS,
      keep: config.CHARTHOUSE_SYNC_RUNS_KEPT,
      log,
      metrics: syncRunPruneMetrics(metrics),
    },
  );
  const http = await startHealthEndpoints("scheduler", config, connections, { metrics });
  return {
    async stop() {
      await loop.stop();
      await storageSweep.stop();
      await syncRunPrune.stop();
      await http.close();
      await connections.nats.drain();
      await connections.db.close();
      await tracing.shutdown();
    },
  };
});
