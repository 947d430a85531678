import { commonSettings, integerSetting, loadConfig } from "@charthouse/config";
import { defaultChartArchiveLimits } from "@charthouse/chart-archive";

/** The metadata-extractor's settings, validated once at start. */
export function loadMetadataExtractorConfig(env: Record<string, string | undefined> = process.env) {
  const limits = defaultChartArchiveLimits;
  return loadConfig(
    {
      ...commonSettings(8084),
      CHARTHOUSE_MAX_ARCHIVE_BYTES: integerSetting(limits.maxArchiveBytes, { min: 1024, max: 1024 ** 3 }),
      CHARTHOUSE_MAX_UNPACKED_BYTES: integerSetting(limits.maxUnpackedBytes, { min: 1024, max: 4 * 1024 ** 3 }),
      CHARTHOUSE_MAX_FILE_BYTES: integerSetting(limits.maxFileBytes, { min: 1024, max: 1024 ** 3 }),
      CHARTHOUSE_MAX_ARCHIVE_FILES: integerSetting(limits.maxFiles, { min: 1, max: 1_000_000 }),
    },
    env,
  );
}

/** The metadata-extractor's configuration. */
export type MetadataExtractorConfig = ReturnType<typeof loadMetadataExtractorConfig>;
