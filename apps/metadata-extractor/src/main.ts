import { ChartVersionRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { runService, startWorkerService } from "@charthouse/service-runtime";
import { loadMetadataExtractorConfig } from "./config.ts";
import { extractMetadataHandler } from "./handlers/extract_metadata.ts";

const config = loadMetadataExtractorConfig();
const log = createLogger("metadata-extractor", { level: config.LOG_LEVEL });

runService(log, () =>
  startWorkerService({
    service: "metadata-extractor",
    settings: config,
    log,
    durable: "metadata-extractor",
    createHandler: ({ db, archives, publisher }) =>
      extractMetadataHandler({
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
  }),
);
