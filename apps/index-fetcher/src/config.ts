import { commonSettings, integerSetting, loadConfig, optionalString, registryAccessSettings } from "@charthouse/config";

/** The index-fetcher's settings, validated once at start. */
export function loadIndexFetcherConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      // A sync that ends in a 304 is a few milliseconds of waiting on the registry and on
      // Postgres's batched statements: many at once keep one copy busy (a fleet at 8 at a time
      // was bound by the wait, not by CPU). The heavy part is limited on its own, below.
      ...commonSettings(8082, 64),
      ...registryAccessSettings(),
      /** The largest index.yaml accepted, as sent and once decompressed. */
      CHARTHOUSE_MAX_INDEX_BYTES: integerSetting(64 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
      /**
       * How many changed indexes one copy reads, parses and writes at once: each holds its body
       * and its parse in memory. Syncs that end in a 304 never wait for this.
       */
      CHARTHOUSE_FULL_SYNC_CONCURRENCY: integerSetting(8, { min: 1, max: 256 }),
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
