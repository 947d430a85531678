import { ChartVersionRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { runService, startTracing, startWorkerService } from "@charthouse/service-runtime";
import { loadMetadataExtractorConfig } from "./config.ts";
import { extractMetadataHandler } from "./handlers/extract_metadata.ts";
import { extractionMetrics } from "./handlers/extraction_metrics.ts";

const config = loadMetadataExtractorConfig();
const log = createLogger("metadata-extractor", { level: config.LOG_LEVEL });
const tracing = await startTracing("metadata-extractor", { log });

runService(log, async () => {
  const service = await startWorkerService({
    service: "metadata-extractor",
    settings: config,
    log,
    durable: "metadata-extractor",
    createHandler: ({ db, archives, publisher }, metrics) =>
      extractMetadataHandler({
        metrics: extractionMetrics(metrics),
        versions: new ChartVersionRepository(db),
        archives,
        publisher,
        limits: {
          maxArchiveBytes: config.CHARTHOUSE_MAX_ARCHIVE_BYTES,
          maxUnpackedBytes: config.CHARTHOUSE_MAX_UNPACKED_BYTES,
          maxFileBytes: config.CHARTHOUSE_MAX_FILE_BYTES,
          maxFiles: config.CHARTHOUSE_MAX_ARCHIVE_FILES,
        },
      }),
  });
  return {
    async stop() {
      await service.stop();
      await tracing.shutdown();
    },
  };
});
