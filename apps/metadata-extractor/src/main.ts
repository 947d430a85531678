import { ChartVersionRepository, VersionMetadataReads, VersionReadyWrites } from "@charthouse/db";
import { loadServiceConfig, runWorker } from "@charthouse/service-runtime";
import { loadMetadataExtractorConfig } from "./config.ts";
import { extractMetadataHandler } from "./handlers/extract_metadata.ts";
import { extractionMetrics } from "./handlers/extraction_metrics.ts";
import { ReadyVersionMemory } from "./handlers/ready_version_memory.ts";

const config = loadServiceConfig("metadata-extractor", loadMetadataExtractorConfig);

await runWorker("metadata-extractor", config, ({ metrics }) => ({
  createHandler: ({ db, archives, publisher }) =>
    extractMetadataHandler({
      metrics: extractionMetrics(metrics),
      versions: new ChartVersionRepository(db),
      readyWrites: new VersionReadyWrites(db),
      summaries: new VersionMetadataReads(db),
      memory: new ReadyVersionMemory(),
      archives,
      publisher,
      limits: {
        maxArchiveBytes: config.CHARTHOUSE_MAX_ARCHIVE_BYTES,
        maxUnpackedBytes: config.CHARTHOUSE_MAX_UNPACKED_BYTES,
        maxFileBytes: config.CHARTHOUSE_MAX_FILE_BYTES,
        maxFiles: config.CHARTHOUSE_MAX_ARCHIVE_FILES,
      },
    }),
}));
