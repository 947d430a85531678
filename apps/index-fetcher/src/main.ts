import { ChartVersionRepository, SyncRunRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { createHostBreakers } from "@charthouse/outbound-http";
import { runService, startWorkerService } from "@charthouse/service-runtime";
import { registryAuthorizer } from "@charthouse/credentials";
import { loadIndexFetcherConfig } from "./config.ts";
import { syncHttpRegistryHandler } from "./handlers/sync_http_registry.ts";

const config = loadIndexFetcherConfig();
const log = createLogger("index-fetcher", { level: config.LOG_LEVEL });

runService(log, async () => {
  const breakers = createHostBreakers({ resetMs: config.CHARTHOUSE_CIRCUIT_RESET_MS });
  const service = await startWorkerService({
    service: "index-fetcher",
    settings: config,
    log,
    durable: "index-fetcher",
    createHandler: ({ db, publisher }) =>
      syncHttpRegistryHandler({
        syncRuns: new SyncRunRepository(db),
        versions: new ChartVersionRepository(db),
        publisher,
        breakers,
        authorize: registryAuthorizer(config.CHARTHOUSE_SECRET_KEY),
        limits: {
          maxIndexBytes: config.CHARTHOUSE_MAX_INDEX_BYTES,
          maxIndexVersions: config.CHARTHOUSE_MAX_INDEX_VERSIONS,
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
