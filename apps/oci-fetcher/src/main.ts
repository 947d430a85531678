import { ChartVersionRepository, OciRepositoryStateRepository, SyncRunRepository } from "@charthouse/db";
import { ociClientLimits } from "@charthouse/config";
import { createOciClient } from "@charthouse/registry-oci";
import { loadServiceConfig, runWorker, syncMetrics } from "@charthouse/service-runtime";
import { registryAccess } from "@charthouse/service-runtime/registry-access";
import { loadOciFetcherConfig } from "./config.ts";
import { syncOciRegistryHandler } from "./handlers/sync_oci_registry.ts";

const config = loadServiceConfig("oci-fetcher", loadOciFetcherConfig);

await runWorker("oci-fetcher", config, ({ log, metrics }) => {
  // Open circuit breakers by host go on the service's /metrics, beside its syncs.
  const access = registryAccess(config, { log, metrics });
  const client = createOciClient({ access, limits: ociClientLimits(config) });
  return {
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
    close: () => access.close(),
  };
});
