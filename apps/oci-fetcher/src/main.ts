import { ChartVersionRepository, OciRepositoryStateRepository, SyncRunRepository } from "@charthouse/db";
import { ociClientLimits } from "@charthouse/config";
import { createLogger } from "@charthouse/logging";
import { createOciClient } from "@charthouse/registry-oci";
import { registryAccess, runService, startTracing, startWorkerService, syncMetrics } from "@charthouse/service-runtime";
import { Registry as MetricsRegistry } from "prom-client";
import { loadOciFetcherConfig } from "./config.ts";
import { syncOciRegistryHandler } from "./handlers/sync_oci_registry.ts";

const config = loadOciFetcherConfig();
const log = createLogger("oci-fetcher", { level: config.LOG_LEVEL });
const tracing = await startTracing("oci-fetcher", { log });

runService(log, async () => {
  // The /metrics registry: open circuit breakers by host, and syncs.
  const metrics = new MetricsRegistry();
  const access = registryAccess(config, { log, metrics });
  const client = createOciClient({ access, limits: ociClientLimits(config) });
  const service = await startWorkerService({
    service: "oci-fetcher",
    settings: config,
    log,
    durable: "oci-fetcher",
    metrics,
    createHandler: ({ db, publisher }) =>
      syncOciRegistryHandler({
        metrics: syncMetrics(metrics, "oci"),
        syncRuns: new SyncRunRepository(db),
        versions: new ChartVersionRepository(db),
        repositories: new OciRepositoryStateRepository(db),
        publisher,
        client,
        settings: {
          plainHttpHosts: config.CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS,
          recheckSeconds: config.CHARTHOUSE_OCI_RECHECK_SECONDS,
          repositoryConcurrency: config.CHARTHOUSE_OCI_REPOSITORY_CONCURRENCY,
          manifestConcurrency: config.CHARTHOUSE_OCI_MANIFEST_CONCURRENCY,
        },
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
