import { createHash } from "node:crypto";
import {
  chartDownloaded,
  chartDownloadRequested,
  chartVersionFailed,
  verifiableDigest,
  type ChartDownloadRequested,
} from "@charthouse/contracts";
import { lockBusy, withTryLock, type ChartVersionRepository, type SqlClient, type VersionWork } from "@charthouse/db";
import { IntegrityError, toStoredError, UnavailableError } from "@charthouse/errors";
import type { ArchiveStore, DeliveryContext, MessageHandler, Publisher } from "@charthouse/messaging";
import type { z } from "zod";
import { openArchive, type ArchiveSources } from "./archive_source.ts";

/** What the downloader needs. */
export interface DownloadChartDependencies {
  db: SqlClient;
  versions: ChartVersionRepository;
  archives: ArchiveStore;
  publisher: Publisher;
  /** Where archives are opened (HTTP URLs and OCI blobs), under the archive size limit. */
  sources: ArchiveSources;
}

/**
 * Streams a chart archive, hashing it as it arrives, checks the published digest, and stores it
 * under its sha256. An archive already stored under the published digest is not downloaded again.
 */
export function downloadChartHandler(deps: DownloadChartDependencies): MessageHandler<z.ZodType<ChartDownloadRequested>> {
  return {
    contract: chartDownloadRequested,
    async handle(payload: ChartDownloadRequested, context: DeliveryContext): Promise<void> {
      const work = await deps.versions.work(payload.versionId);
      if (!work || work.state !== "discovered" || verifiableDigest(work.digest) !== payload.expectedDigest) {
        context.log.info({ state: work?.state ?? "gone" }, "Version is not waiting for this download; skipped");
        return;
      }
      const stored = await storeArchive(deps, payload, work, context);
      if (stored === lockBusy) {
        throw new ArchiveBusyError(`Another copy is downloading the archive of ${payload.chart}@${payload.version}`);
      }
      const { sha256, size } = stored;
      if (await deps.versions.markDownloaded(payload.versionId, sha256, size)) {
        await deps.publisher.publish(chartDownloaded, {
          registryId: payload.registryId,
          versionId: payload.versionId,
          archiveSha256: sha256,
          size: size,
        });
      }
    },
    async onRetry(payload: ChartDownloadRequested, error: unknown): Promise<void> {
      // Waiting for another copy's download of the same archive is not a failure of this version.
      if (error instanceof ArchiveBusyError) return;
      await deps.versions.recordRetry(payload.versionId, toStoredError(error));
    },
    async onGiveUp(payload: ChartDownloadRequested, error: unknown): Promise<void> {
      const stored = toStoredError(error);
      await deps.versions.markFailed(payload.versionId, stored);
      const work = await deps.versions.work(payload.versionId);
      if (work) {
        await deps.publisher.publish(chartVersionFailed, {
          organizationId: work.registry.organizationId,
          registryId: work.registry.id,
          versionId: work.id,
          chart: work.chart,
          version: work.version,
          error: stored,
          at: new Date().toISOString(),
        });
      }
    },
  };
}

/** Thrown (and retried shortly) while another copy downloads the same archive. */
class ArchiveBusyError extends UnavailableError {
  override name = "ArchiveBusyError";
  constructor(message: string) {
    super(message, { code: "unavailable" });
  }
}

/**
 * The archive's sha256 and size, downloading it only if no archive with the published digest is
 * stored. A lock per digest, across every copy of the downloader, means one download per archive.
 */
async function storeArchive(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  work: VersionWork,
  context: DeliveryContext,
): Promise<{ sha256: string; size: number } | typeof lockBusy> {
  const digest = payload.expectedDigest;
  const fetchAndStore = async (): Promise<{ sha256: string; size: number }> => {
    const size = digest === null ? null : await deps.archives.sizeOf(digest);
    if (digest !== null && size !== null) {
      context.log.info({ sha256: digest }, "Archive already stored; not downloaded again");
      return { sha256: digest, size };
    }
    const downloaded = await download(deps, payload, work, context);
    await deps.archives.put(downloaded.sha256, downloaded.bytes);
    return { sha256: downloaded.sha256, size: downloaded.bytes.byteLength };
  };
  return digest === null ? await fetchAndStore() : await withTryLock(deps.db, `archive:${digest}`, fetchAndStore);
}

async function download(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  work: VersionWork,
  context: DeliveryContext,
): Promise<{ sha256: string; bytes: Uint8Array }> {
  const response = await openArchive(deps.sources, payload.url, work);
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
