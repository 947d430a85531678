import { ChartVersionRepository } from "@charthouse/db";
import { ociClientLimits } from "@charthouse/config";
import { createLogger } from "@charthouse/logging";
import { createOciClient } from "@charthouse/registry-oci";
import { registryAccess, runService, startTracing, startWorkerService } from "@charthouse/service-runtime";
import { Registry as MetricsRegistry } from "prom-client";
import { loadChartDownloaderConfig } from "./config.ts";
import { downloadChartHandler } from "./handlers/download_chart.ts";
import { retryFailuresOnHost } from "./handlers/retry_host_failures.ts";

const config = loadChartDownloaderConfig();
const log = createLogger("chart-downloader", { level: config.LOG_LEVEL });
const tracing = await startTracing("chart-downloader", { log });

runService(log, async () => {
  // The /metrics registry: open circuit breakers by host, and the consumer's counters.
  const metrics = new MetricsRegistry();
  const access = registryAccess(config, { log, metrics });
  const service = await startWorkerService({
    service: "chart-downloader",
    settings: config,
    log,
    durable: "chart-downloader",
    metrics,
    createHandler: ({ db, archives, publisher }) => {
      const versions = new ChartVersionRepository(db);
      access.onCircuitClosed((origin) => {
        retryFailuresOnHost({ versions, publisher, log }, origin).catch((err: unknown) => {
          log.warn({ host: origin, error: err instanceof Error ? err.message : String(err) }, "Cannot queue a recovered host's failed versions");
        });
      });
      return downloadChartHandler({
        db,
        versions,
        archives,
        publisher,
        sources: {
          access,
          oci: createOciClient({ access, limits: ociClientLimits(config) }),
          plainHttpHosts: config.CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS,
          maxArchiveBytes: config.CHARTHOUSE_MAX_ARCHIVE_BYTES,
        },
      });
    },
  });
  return {
    async stop() {
      await service.stop();
      await access.close();
      await tracing.shutdown();
    },
  };
});
