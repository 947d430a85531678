import { verifiableDigest, type ChartDownloadRequested } from "@charthouse/contracts";
import type { PendingVersion } from "./version_model.ts";

/**
 * The download request of a version waiting for its archive, built from the version itself, or
 * null when it has nowhere to be downloaded from.
 */
export function downloadRequestOf(registryId: string, version: PendingVersion): ChartDownloadRequested | null {
  if (version.downloadUrl === null) return null;
  return {
    registryId,
    versionId: version.id,
    chart: version.chart,
    version: version.version,
    url: version.downloadUrl,
    expectedDigest: verifiableDigest(version.digest),
    round: version.requeues,
  };
}
