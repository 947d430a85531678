import { chartDownloadRequested } from "@charthouse/contracts";
import type { ReopenedVersion } from "@charthouse/db";
import type { Publisher } from "@charthouse/messaging";
import { downloadRequestOf } from "./download_request.ts";

/**
 * Publishes the download requests of re-opened versions (failed ones retried, stuck ones, dead
 * letters replayed), whatever registries they belong to; returns how many went out.
 */
export async function queueReopenedVersions(publisher: Publisher, reopened: readonly ReopenedVersion[]): Promise<number> {
  const requests = reopened.flatMap((version) => downloadRequestOf(version.registryId, version) ?? []);
  return await publisher.publishMany(chartDownloadRequested, requests);
}
