import { ChartVersionRepository, SyncRunRepository } from "@charthouse/db";
import { Slots } from "@charthouse/concurrency";
import { loadServiceConfig, runWorker } from "@charthouse/service-runtime";
import { registryAccess } from "@charthouse/service-runtime/registry-access";
import { httpIndexSource } from "./adapters/http_index_source.ts";
import { loadIndexFetcherConfig } from "./config.ts";
import { indexFetchMetrics } from "./handlers/index_fetch_metrics.ts";
import { syncHttpRegistryHandler } from "./handlers/sync_http_registry.ts";

const config = loadServiceConfig("index-fetcher", loadIndexFetcherConfig);

await runWorker("index-fetcher", config, ({ log, metrics }) => {
  // Open circuit breakers by host go on the service's /metrics, beside syncs, index bytes and 304s.
  const access = registryAccess(config, { log, metrics });
  const fullSyncs = new Slots(config.CHARTHOUSE_FULL_SYNC_CONCURRENCY);
  return {
    createHandler: ({ db, publisher }) =>
      syncHttpRegistryHandler({
        metrics: indexFetchMetrics(metrics, fullSyncs),
        syncRuns: new SyncRunRepository(db),
        versions: new ChartVersionRepository(db),
        publisher,
        index: httpIndexSource(access, { maxIndexBytes: config.CHARTHOUSE_MAX_INDEX_BYTES }),
        limits: { maxIndexVersions: config.CHARTHOUSE_MAX_INDEX_VERSIONS },
        fullSyncs,
      }),
    // Leases and finishes of the syncs in flight are batched into a statement at a time; the
    // connections go to the full syncs' writes, so they, not CHARTHOUSE_CONCURRENCY, size the pool.
    poolSize: config.CHARTHOUSE_FULL_SYNC_CONCURRENCY + 8,
    close: () => access.close(),
  };
});
