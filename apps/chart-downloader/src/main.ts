import { ChartVersionRepository } from "@charthouse/db";
import { ociClientLimits } from "@charthouse/config";
import { createOciClient } from "@charthouse/registry-oci";
import { loadServiceConfig, runWorker } from "@charthouse/service-runtime";
import { registryAccess } from "@charthouse/service-runtime/registry-access";
import { advisoryArchiveLocks } from "./adapters/advisory_archive_locks.ts";
import { loadChartDownloaderConfig } from "./config.ts";
import { archiveOpener } from "./handlers/archive_source.ts";
import { downloadChartHandler } from "./handlers/download_chart.ts";
import { retryFailuresOnHost } from "./handlers/retry_host_failures.ts";

const config = loadServiceConfig("chart-downloader", loadChartDownloaderConfig);

await runWorker("chart-downloader", config, ({ log, metrics }) => {
  // Open circuit breakers by host go on the service's /metrics, beside the consumer's counters.
  const access = registryAccess(config, { log, metrics });
  return {
    createHandler: ({ db, archives, publisher }) => {
      const versions = new ChartVersionRepository(db);
      access.onCircuitClosed((origin) => {
        retryFailuresOnHost({ versions, publisher, log }, origin).catch((err: unknown) => {
          log.warn({ host: origin, error: err instanceof Error ? err.message : String(err) }, "Cannot queue a recovered host's failed versions");
        });
      });
      return downloadChartHandler({
        versions,
        archives,
        publisher,
        locks: advisoryArchiveLocks(db),
        archiveOpener: archiveOpener({
          access,
          oci: createOciClient({ access, limits: ociClientLimits(config) }),
          plainHttpHosts: config.CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS,
          maxArchiveBytes: config.CHARTHOUSE_MAX_ARCHIVE_BYTES,
        }),
      });
    },
    close: () => access.close(),
  };
});
