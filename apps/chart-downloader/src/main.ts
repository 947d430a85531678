import { registryAuthorizer } from "@charthouse/credentials";
import { ChartVersionRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { createHostBreakers } from "@charthouse/outbound-http";
import { runService, startWorkerService } from "@charthouse/service-runtime";
import { loadChartDownloaderConfig } from "./config.ts";
import { downloadChartHandler } from "./handlers/download_chart.ts";

const config = loadChartDownloaderConfig();
const log = createLogger("chart-downloader", { level: config.LOG_LEVEL });

runService(log, async () => {
  const breakers = createHostBreakers({ resetMs: config.CHARTHOUSE_CIRCUIT_RESET_MS });
  const service = await startWorkerService({
    service: "chart-downloader",
    settings: config,
    log,
    durable: "chart-downloader",
    createHandler: ({ db, archives, publisher }) =>
      downloadChartHandler({
        db,
        versions: new ChartVersionRepository(db),
        archives,
        publisher,
        breakers,
        authorize: registryAuthorizer(config.CHARTHOUSE_SECRET_KEY),
        limits: {
          maxArchiveBytes: config.CHARTHOUSE_MAX_ARCHIVE_BYTES,
          timeoutMs: config.CHARTHOUSE_REQUEST_TIMEOUT_MS,
          bodyTimeoutMs: config.CHARTHOUSE_BODY_TIMEOUT_MS,
          blockPrivateNetworks: config.CHARTHOUSE_BLOCK_PRIVATE_NETWORKS,
        },
      }),
  });
  return {
    async stop() {
      await service.stop();
      breakers.close();
    },
  };
});
