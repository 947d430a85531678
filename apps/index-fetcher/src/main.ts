import { ChartVersionRepository, SyncRunRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { registryAccess, runService, startTracing, startWorkerService } from "@charthouse/service-runtime";
import { Registry as MetricsRegistry } from "prom-client";
import { loadIndexFetcherConfig } from "./config.ts";
import { indexFetchMetrics } from "./handlers/index_fetch_metrics.ts";
import { syncHttpRegistryHandler } from "./handlers/sync_http_registry.ts";

const config = loadIndexFetcherConfig();
const log = createLogger("index-fetcher", { level: config.LOG_LEVEL });
const tracing = await startTracing("index-fetcher", { log });

runService(log, async () => {
  // The /metrics registry: open circuit breakers by host, syncs, index bytes and 304s.
  const metrics = new MetricsRegistry();
  const access = registryAccess(config, { log, metrics });
  const service = await startWorkerService({
    service: "index-fetcher",
    settings: config,
    log,
    durable: "index-fetcher",
    metrics,
    createHandler: ({ db, publisher }) =>
      syncHttpRegistryHandler({
        metrics: indexFetchMetrics(metrics),
        syncRuns: new SyncRunRepository(db),
        versions: new ChartVersionRepository(db),
        publisher,
        access,
        limits: { maxIndexBytes: config.CHARTHOUSE_MAX_INDEX_BYTES, maxIndexVersions: config.CHARTHOUSE_MAX_INDEX_VERSIONS },
      }),
  });
  return {
    async stop() {
      await service.stop();
      await access.close();
      await tracing.shutdown();
    },
  };
});
