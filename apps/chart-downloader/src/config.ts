import { commonSettings, integerSetting, loadConfig, ociSettings, optionalString, registryAccessSettings } from "@charthouse/config";

/** The chart-downloader's settings, validated once at start. */
export function loadChartDownloaderConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      ...commonSettings(8083),
      ...registryAccessSettings(),
      ...ociSettings(),
      /** The largest chart archive downloaded (Helm's own limit is 20 MiB). */
      CHARTHOUSE_MAX_ARCHIVE_BYTES: integerSetting(20 * 1024 * 1024, { min: 1024, max: 1024 ** 3 }),
      /** The key that opens registry credentials (32 bytes, base64). */
      CHARTHOUSE_SECRET_KEY: optionalString(),
    },
    env,
  );
}

/** The chart-downloader's configuration. */
export type ChartDownloaderConfig = ReturnType<typeof loadChartDownloaderConfig>;
