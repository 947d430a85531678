import { createHash } from "node:crypto";
import {
  chartDownloaded,
  chartDownloadRequested,
  verifiableDigest,
  type ChartDownloadRequested,
  type MessagePublisher,
} from "@charthouse/contracts";
import { lockBusy, type ChartVersionRepository, type VersionWork } from "@charthouse/db";
import { DeferredError, IntegrityError } from "@charthouse/errors";
import type { ArchiveStore, DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { versionFailureHandling } from "@charthouse/service-runtime";
import type { z } from "zod";
import type { ArchiveOpener } from "./archive_source.ts";

/** The version rows the downloader reads and writes (ChartVersionRepository has them). */
export type DownloadVersions = Pick<ChartVersionRepository, "work" | "markDownloaded" | "recordRetry" | "markFailed">;

/** The archive store as the downloader sees it (ArchiveStore of @charthouse/messaging). */
export type DownloadArchives = Pick<ArchiveStore, "sizeOf" | "put">;

/** The locks that keep downloads of one archive apart, across every copy of the downloader. */
export interface ArchiveLocks {
  /**
   * Runs `work` as the one download of `digest` for this registry, holding the archive's store
   * lock shared; answers lockBusy at once, without running it, while another copy holds it.
   */
  downloadOnce<T>(registryId: string, digest: string, work: () => Promise<T>): Promise<T | typeof lockBusy>;
  /** Runs `work` holding the archive's store lock shared, so the storage sweep cannot collect it meanwhile. */
  keepStored<T>(sha256: string, work: () => Promise<T>): Promise<T>;
}

/** What the downloader reads, writes and publishes. */
export interface DownloadChartDependencies {
  versions: DownloadVersions;
  archives: DownloadArchives;
  publisher: Pick<MessagePublisher, "publish">;
  locks: ArchiveLocks;
  /** Where archives are opened (HTTP URLs and OCI blobs), under the archive size limit. */
  archiveOpener: ArchiveOpener;
}

/** How long a delivery waits while another copy downloads the same archive for the same registry. */
const BUSY_RETRY_MS = 2_000;

/**
 * Streams a chart archive, hashing it as it arrives, checks the published digest, and stores it
 * under its sha256. An archive already stored under the published digest is not downloaded again.
 * The version is marked downloaded and chart.downloaded published after; a delivery that finds
 * the version already downloaded publishes chart.downloaded again (its id makes that a no-op when
 * it went out), so a crash or a broker outage between the two loses nothing.
 */
export function downloadChartHandler(deps: DownloadChartDependencies): MessageHandler<z.ZodType<ChartDownloadRequested>> {
  return {
    contract: chartDownloadRequested,
    async handle(payload: ChartDownloadRequested, context: DeliveryContext): Promise<void> {
      const work = await deps.versions.work(payload.versionId);
      if (work?.state === "downloaded" && work.archiveSha256 !== null && work.size !== null) {
        context.log.info("Version already downloaded; announcing it again");
        await announceDownloaded(deps, work.registry.id, work.id, { sha256: work.archiveSha256, size: work.size });
        return;
      }
      if (!work || work.state !== "discovered" || verifiableDigest(work.digest) !== payload.expectedDigest || payload.round < work.requeues) {
        context.log.info({ state: work?.state ?? "gone" }, "Version is not waiting for this download; skipped");
        return;
      }
      const stored = await storeArchive(deps, payload, work, context);
      if (stored === lockBusy) {
        throw new DeferredError(`Another copy is downloading the archive of ${payload.chart}@${payload.version} from this registry`, {
          code: "unavailable",
          retryAfterMs: BUSY_RETRY_MS,
        });
      }
      if (stored.marked) await announceDownloaded(deps, payload.registryId, payload.versionId, stored);
    },
    ...versionFailureHandling(deps),
  };
}

async function announceDownloaded(
  deps: DownloadChartDependencies,
  registryId: string,
  versionId: string,
  archive: { sha256: string; size: number },
): Promise<void> {
  await deps.publisher.publish(chartDownloaded, { registryId, versionId, archiveSha256: archive.sha256, size: archive.size });
}

/** A stored archive, and whether this delivery moved its version to `downloaded`. */
interface StoredArchive {
  sha256: string;
  size: number;
  marked: boolean;
}

/**
 * Stores the archive (downloading it only if no archive with the published digest is stored)
 * and marks the version downloaded. A lock per registry and digest, across every copy of the
 * downloader, means one download per archive and registry; other registries never wait for it,
 * so a slow or hostile registry cannot hold up another's version of the same chart. The shared
 * store lock keeps the archive from being collected until the version points to it.
 */
async function storeArchive(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  work: VersionWork,
  context: DeliveryContext,
): Promise<StoredArchive | typeof lockBusy> {
  const digest = payload.expectedDigest;
  if (digest === null) {
    // Nothing published to check against: the archive is named by what arrives.
    const downloaded = await download(deps, payload, work, context);
    return await deps.locks.keepStored(downloaded.sha256, () => putAndMark(deps, payload, downloaded));
  }
  return await deps.locks.downloadOnce(work.registry.id, digest, async () => {
    const size = await deps.archives.sizeOf(digest);
    if (size !== null) {
      context.log.info({ sha256: digest }, "Archive already stored; not downloaded again");
      return { sha256: digest, size, marked: await deps.versions.markDownloaded(payload.versionId, digest, size) };
    }
    return await putAndMark(deps, payload, await download(deps, payload, work, context));
  });
}

async function putAndMark(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  downloaded: { sha256: string; bytes: Uint8Array },
): Promise<StoredArchive> {
  await deps.archives.put(downloaded.sha256, downloaded.bytes);
  const size = downloaded.bytes.byteLength;
  return { sha256: downloaded.sha256, size, marked: await deps.versions.markDownloaded(payload.versionId, downloaded.sha256, size) };
}

async function download(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  work: VersionWork,
  context: DeliveryContext,
): Promise<{ sha256: string; bytes: Uint8Array }> {
  const response = await deps.archiveOpener.open(payload.url, work);
  const hash = createHash("sha256");
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    chunks.push(chunk);
    received += chunk.byteLength;
    if (received > 4 * 1024 * 1024) context.working();
  }
  const sha256 = hash.digest("hex");
  if (payload.expectedDigest !== null && sha256 !== payload.expectedDigest) {
    throw new IntegrityError(
      `The archive of ${payload.chart}@${payload.version} at ${response.url} has sha256 ${sha256}, but the registry publishes ${payload.expectedDigest}`,
    );
  }
  return { sha256, bytes: Buffer.concat(chunks, received) };
}
