import { z } from "zod";
import { integerSetting } from "./env_schema.ts";

/** Settings of the services that talk to OCI registries (oci-fetcher, chart-downloader). */
export function ociSettings() {
  return {
    /**
     * Registry hosts (`host` or `host:port`, comma-separated) spoken to over plain HTTP, like
     * Docker's insecure registries. Loopback hosts always are.
     */
    CHARTHOUSE_OCI_PLAIN_HTTP_HOSTS: hostListSetting(),
    /** Largest OCI manifest read, in bytes (distribution's own limit is 4 MiB). */
    CHARTHOUSE_OCI_MAX_MANIFEST_BYTES: integerSetting(4 * 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    /** Largest chart config blob (Chart.yaml as JSON) read, in bytes. */
    CHARTHOUSE_OCI_MAX_CONFIG_BYTES: integerSetting(1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    /** Most tags one repository may list. */
    CHARTHOUSE_OCI_MAX_TAGS: integerSetting(100_000, { min: 1, max: 10_000_000 }),
    /** Most repositories one namespace listing may return. */
    CHARTHOUSE_OCI_MAX_REPOSITORIES: integerSetting(10_000, { min: 1, max: 1_000_000 }),
  };
}

/** The OCI client limits of ociSettings(), as createOciClient takes them. */
export function ociClientLimits(settings: {
  CHARTHOUSE_OCI_MAX_MANIFEST_BYTES: number;
  CHARTHOUSE_OCI_MAX_CONFIG_BYTES: number;
  CHARTHOUSE_OCI_MAX_TAGS: number;
  CHARTHOUSE_OCI_MAX_REPOSITORIES: number;
}): { maxManifestBytes: number; maxConfigBytes: number; maxTags: number; maxRepositories: number } {
  return {
    maxManifestBytes: settings.CHARTHOUSE_OCI_MAX_MANIFEST_BYTES,
    maxConfigBytes: settings.CHARTHOUSE_OCI_MAX_CONFIG_BYTES,
    maxTags: settings.CHARTHOUSE_OCI_MAX_TAGS,
    maxRepositories: settings.CHARTHOUSE_OCI_MAX_REPOSITORIES,
  };
}

/** A comma-separated list of `host` or `host:port`, lowercased; empty by default. */
function hostListSetting(): z.ZodType<string[]> {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const hosts = (raw ?? "")
        .split(",")
        .map((host) => host.trim().toLowerCase())
        .filter((host) => host !== "");
      const bad = hosts.filter((host) => !/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host));
      if (bad.length > 0) {
        ctx.addIssue({ code: "custom", message: `must list host or host:port names, got "${bad[0]}"` });
        return z.NEVER;
      }
      return hosts;
    });
}

/** The oci-fetcher's own settings beside ociSettings(). */
export function ociSyncSettings() {
  return {
    /**
     * How often, in seconds, a scheduled sync compares the manifest digests of known tags (HEAD
     * requests) to notice re-pushed tags; a manual sync always does. 0: every sync.
     */
    CHARTHOUSE_OCI_RECHECK_SECONDS: integerSetting(3600, { min: 0, max: 30 * 86400 }),
    /** Repositories of one registry synced at once. */
    CHARTHOUSE_OCI_REPOSITORY_CONCURRENCY: integerSetting(4, { min: 1, max: 64 }),
    /** Manifests and config blobs fetched at once within one sync. */
    CHARTHOUSE_OCI_MANIFEST_CONCURRENCY: integerSetting(8, { min: 1, max: 64 }),
  };
}
