import { ChartVersionRepository, SyncRunRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { registryAccess, runService, startWorkerService } from "@charthouse/service-runtime";
import { loadIndexFetcherConfig } from "./config.ts";
import { syncHttpRegistryHandler } from "./handlers/sync_http_registry.ts";

const config = loadIndexFetcherConfig();
const log = createLogger("index-fetcher", { level: config.LOG_LEVEL });

runService(log, async () => {
  const access = registryAccess(config, { log });
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
        access,
        limits: { maxIndexBytes: config.CHARTHOUSE_MAX_INDEX_BYTES, maxIndexVersions: config.CHARTHOUSE_MAX_INDEX_VERSIONS },
      }),
  });
  return {
    async stop() {
      await service.stop();
      await access.close();
    },
  };
});
