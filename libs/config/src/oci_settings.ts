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
