import { commonSettings, loadConfig, ociSettings, ociSyncSettings, optionalString, registryAccessSettings } from "@charthouse/config";

/** The oci-fetcher's settings, validated once at start. */
export function loadOciFetcherConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      ...commonSettings(8085),
      ...registryAccessSettings(),
      ...ociSettings(),
      ...ociSyncSettings(),
      /** The key that opens registry credentials (32 bytes, base64). */
      CHARTHOUSE_SECRET_KEY: optionalString(),
    },
    env,
  );
}

/** The oci-fetcher's configuration. */
export type OciFetcherConfig = ReturnType<typeof loadOciFetcherConfig>;
