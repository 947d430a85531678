import { commonSettings, integerSetting, loadConfig, optionalString, registryAccessSettings } from "@charthouse/config";

/** The index-fetcher's settings, validated once at start. */
export function loadIndexFetcherConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      ...commonSettings(8082),
      ...registryAccessSettings(),
      /** The largest index.yaml accepted, as sent and once decompressed. */
      CHARTHOUSE_MAX_INDEX_BYTES: integerSetting(64 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
      /** The most versions one index may list. */
      CHARTHOUSE_MAX_INDEX_VERSIONS: integerSetting(100_000, { min: 1, max: 10_000_000 }),
      /** The key that opens registry credentials (32 bytes, base64). */
      CHARTHOUSE_SECRET_KEY: optionalString(),
    },
    env,
  );
}

/** The index-fetcher's configuration. */
export type IndexFetcherConfig = ReturnType<typeof loadIndexFetcherConfig>;
