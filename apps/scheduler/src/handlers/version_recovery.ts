import { queueReopenedVersions, retryableErrorCodes, type ReopenedVersion, type StuckVersion } from "@charthouse/catalog";
import { chartDownloaded, type MessagePublisher } from "@charthouse/contracts";

/** The version queries recovery needs (ChartVersionRepository has them). */
export interface RecoverableVersions {
  claimStuck(options: { olderThanSeconds: number; limit: number }): Promise<StuckVersion[]>;
  reopen(versionIds: readonly string[]): Promise<ReopenedVersion[]>;
  reopenRetryable(options: { codes: readonly string[]; olderThanSeconds: number; limit: number }): Promise<ReopenedVersion[]>;
}

/** When versions count as stuck or due for another try. */
export interface VersionRecoveryOptions {
  /** A version in flight that nothing touched for this long has its next message published again. */
  stuckAfterSeconds: number;
  /** A version that failed for a passing reason is tried again after this long. */
  failedRetryAfterSeconds: number;
  /** The most versions one pass looks at, of each kind. */
  batch: number;
}

/** What one pass did. */
export interface VersionRecoveryPass {
  republished: number;
  retried: number;
}

/**
 * One pass of the safety net behind the message flow, for versions whose message was lost (a
 * broker restart, a crash between a write and its publish). A version stuck in `discovered` is
 * re-opened: its new download request supersedes any old one still queued, which is then
 * skipped. One stuck in `downloaded` gets chart.downloaded again, with the same id (extraction
 * skips a version that is ready). Versions failed for a passing reason long enough ago are
 * re-opened and queued too.
 */
export async function recoverVersions(
  versions: RecoverableVersions,
  publisher: MessagePublisher,
  options: VersionRecoveryOptions,
): Promise<VersionRecoveryPass> {
  const stuck = await versions.claimStuck({ olderThanSeconds: options.stuckAfterSeconds, limit: options.batch });
  const waiting = await versions.reopen(stuck.filter((v) => v.state === "discovered").map((v) => v.id));
  const extractions = stuck.flatMap((v) =>
    v.state === "downloaded" && v.archiveSha256 !== null && v.size !== null
      ? [{ registryId: v.registryId, versionId: v.id, archiveSha256: v.archiveSha256, size: v.size }]
      : [],
  );
  const republished = (await queueReopenedVersions(publisher, waiting)) + (await publisher.publishMany(chartDownloaded, extractions));

  const reopened = await versions.reopenRetryable({
    codes: retryableErrorCodes,
    olderThanSeconds: options.failedRetryAfterSeconds,
    limit: options.batch,
  });
  const retried = await queueReopenedVersions(publisher, reopened);
  return { republished, retried };
}
