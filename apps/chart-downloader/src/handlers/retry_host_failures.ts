import { queueReopenedVersions, retryableErrorCodes } from "@charthouse/catalog";
import type { ChartVersionRepository } from "@charthouse/db";
import type { MessagePublisher } from "@charthouse/contracts";
import type { Logger } from "@charthouse/logging";

/** The most failed versions one recovered host has queued again at once; the scheduler's pass takes the rest. */
const BATCH = 10_000;

/**
 * Queues again the versions whose archive host answers again after an outage (its circuit just
 * closed) and that failed for a passing reason meanwhile, instead of waiting for the slow retry.
 */
export async function retryFailuresOnHost(
  deps: { versions: Pick<ChartVersionRepository, "reopenFailedOnHost">; publisher: MessagePublisher; log: Pick<Logger, "info"> },
  origin: string,
): Promise<number> {
  const host = new URL(origin).host;
  const reopened = await deps.versions.reopenFailedOnHost(host, retryableErrorCodes, BATCH);
  const queued = await queueReopenedVersions(deps.publisher, reopened);
  if (queued > 0) deps.log.info({ host, count: queued }, "Queued failed versions of a recovered host again");
  return queued;
}
