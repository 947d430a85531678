import { chartDownloadRequested, type MessagePublisher } from "@charthouse/contracts";
import { downloadRequestOf } from "./download_request.ts";
import type { ReopenedVersion } from "./version_model.ts";

/**
 * Publishes the download requests of re-opened versions (failed ones retried, stuck ones, dead
 * letters replayed), whatever registries they belong to; returns how many went out.
 */
export async function queueReopenedVersions(publisher: MessagePublisher, reopened: readonly ReopenedVersion[]): Promise<number> {
  const requests = reopened.flatMap((version) => downloadRequestOf(version.registryId, version) ?? []);
  return await publisher.publishMany(chartDownloadRequested, requests);
}
