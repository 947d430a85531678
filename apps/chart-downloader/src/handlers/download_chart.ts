import { createHash } from "node:crypto";
import {
  chartDownloaded,
  chartDownloadRequested,
  chartVersionFailed,
  verifiableDigest,
  type ChartDownloadRequested,
} from "@charthouse/contracts";
import type { ChartVersionRepository, VersionWork } from "@charthouse/db";
import { IntegrityError, toStoredError } from "@charthouse/errors";
import type { ArchiveStore, DeliveryContext, MessageHandler, Publisher } from "@charthouse/messaging";
import { registryStream, type HostBreakers } from "@charthouse/outbound-http";
import type { z } from "zod";

/** Turns a registry's sealed credential into an Authorization header value. */
export type Authorize = (credential: VersionWork["registry"]["credential"]) => Promise<string | undefined>;

/** What the downloader needs. */
export interface DownloadChartDependencies {
  versions: ChartVersionRepository;
  archives: ArchiveStore;
  publisher: Publisher;
  breakers: HostBreakers;
  authorize: Authorize;
  limits: { maxArchiveBytes: number; timeoutMs: number; bodyTimeoutMs: number; blockPrivateNetworks: boolean };
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
      let sha256: string;
      let size: number | null = payload.expectedDigest === null ? null : await deps.archives.sizeOf(payload.expectedDigest);
      if (payload.expectedDigest !== null && size !== null) {
        sha256 = payload.expectedDigest;
        context.log.info({ sha256 }, "Archive already stored; not downloaded again");
      } else {
        const downloaded = await download(deps, payload, work, context);
        sha256 = downloaded.sha256;
        size = downloaded.bytes.byteLength;
        await deps.archives.put(sha256, downloaded.bytes);
      }
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

async function download(
  deps: DownloadChartDependencies,
  payload: ChartDownloadRequested,
  work: VersionWork,
  context: DeliveryContext,
): Promise<{ sha256: string; bytes: Uint8Array }> {
  const auth = await deps.authorize(work.registry.credential);
  const origin = new URL(payload.url).origin;
  return await deps.breakers.run(origin, async () => {
    const response = await registryStream(payload.url, {
      maxBytes: deps.limits.maxArchiveBytes,
      limitSetting: "CHARTHOUSE_MAX_ARCHIVE_BYTES",
      timeoutMs: deps.limits.timeoutMs,
      bodyTimeoutMs: deps.limits.bodyTimeoutMs,
      blockPrivateNetworks: deps.limits.blockPrivateNetworks,
      decompress: false,
      acceptStatuses: [200],
      // The credential belongs to the registry: a chart URL on another host never receives it.
      ...(auth === undefined ? {} : { auth, authOrigin: work.registry.url }),
    });
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
        `The archive of ${payload.chart}@${payload.version} at ${response.url} has sha256 ${sha256}, but the index publishes ${payload.expectedDigest}`,
      );
    }
    return { sha256, bytes: Buffer.concat(chunks, received) };
  });
}
