import { ChartVersionRepository, VersionMetadataReads } from "@charthouse/db";
import { loadServiceConfig, runWorker } from "@charthouse/service-runtime";
import { loadMetadataExtractorConfig } from "./config.ts";
import { extractMetadataHandler } from "./handlers/extract_metadata.ts";
import { extractionMetrics } from "./handlers/extraction_metrics.ts";

const config = loadServiceConfig("metadata-extractor", loadMetadataExtractorConfig);

await runWorker("metadata-extractor", config, ({ metrics }) => ({
  createHandler: ({ db, archives, publisher }) =>
    extractMetadataHandler({
      metrics: extractionMetrics(metrics),
      versions: new ChartVersionRepository(db),
      summaries: new VersionMetadataReads(db),
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
