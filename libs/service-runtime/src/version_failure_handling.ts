import { chartVersionFailed, type MessagePublisher } from "@charthouse/contracts";
import type { ChartVersionRepository } from "@charthouse/db";
import { toStoredError } from "@charthouse/errors";

/** What a version's failure handling writes and publishes. */
export interface VersionFailureDependencies {
  versions: Pick<ChartVersionRepository, "recordRetry" | "markFailed" | "work">;
  publisher: Pick<MessagePublisher, "publish">;
}

/** The retry and give-up hooks of a handler whose message is about one chart version. */
export interface VersionFailureHandling {
  /** Records a failure that will be retried on the version (attempts, last error). */
  onRetry(payload: { versionId: string }, error: unknown): Promise<void>;
  /** Marks the version failed and announces chart.version.failed. */
  onGiveUp(payload: { versionId: string }, error: unknown): Promise<void>;
}

/**
 * The onRetry and onGiveUp of every step a version goes through (download, extraction): a
 * passing failure is recorded on the version; a final one fails it and is announced, so the
 * registry's users see why the version never became ready.
 */
export function versionFailureHandling(deps: VersionFailureDependencies): VersionFailureHandling {
  return {
    async onRetry(payload, error) {
      await deps.versions.recordRetry(payload.versionId, toStoredError(error));
    },
    async onGiveUp(payload, error) {
      const stored = toStoredError(error);
      await deps.versions.markFailed(payload.versionId, stored);
      const work = await deps.versions.work(payload.versionId);
      if (!work) return;
      await deps.publisher.publish(chartVersionFailed, {
        organizationId: work.registry.organizationId,
        registryId: work.registry.id,
        versionId: work.id,
        chart: work.chart,
        version: work.version,
        error: stored,
        at: new Date().toISOString(),
      });
    },
  };
}
