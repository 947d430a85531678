import { readChartArchive, type ChartArchiveLimits } from "@charthouse/chart-archive";
import { chartDownloaded, chartVersionReady, type ChartDownloaded, type ChartVersionSummary, type MessagePublisher } from "@charthouse/contracts";
import type { ChartVersionRepository, VersionWork } from "@charthouse/db";
import { queueReopenedVersions } from "@charthouse/catalog";
import { InputError } from "@charthouse/errors";
import type { ArchiveStore, DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { versionFailureHandling } from "@charthouse/service-runtime";
import type { z } from "zod";
import type { ExtractionRecorder } from "./extraction_metrics.ts";
import { readySummary, type SummaryReads } from "./ready_summary.ts";

/** The version rows the extractor reads and writes (ChartVersionRepository has them). */
export type ExtractionVersions = Pick<ChartVersionRepository, "work" | "reopen" | "markReady" | "recordRetry" | "markFailed">;

/** The archive store as the extractor sees it (ArchiveStore of @charthouse/messaging). */
export type ExtractionArchives = Pick<ArchiveStore, "get">;

/** What the extractor reads, writes and publishes. */
export interface ExtractMetadataDependencies {
  versions: ExtractionVersions;
  /** The chart's other versions, to summarise a new one against the previous (see readySummary). */
  summaries: SummaryReads;
  archives: ExtractionArchives;
  publisher: MessagePublisher;
  limits: ChartArchiveLimits;
  /** Time from discovered to ready (/metrics); none in tests that do not look. */
  metrics?: ExtractionRecorder;
}

/**
 * Reads Chart.yaml, README, values.yaml and values.schema.json out of a stored archive and
 * makes the version `ready`, announcing it with a summary of what it changed against the previous
 * ready version. An archive that is not a valid chart makes it `failed` at once; one missing from
 * the store sends the version back to be downloaded again.
 */
export function extractMetadataHandler(deps: ExtractMetadataDependencies): MessageHandler<z.ZodType<ChartDownloaded>> {
  return {
    contract: chartDownloaded,
    async handle(payload: ChartDownloaded, context: DeliveryContext): Promise<void> {
      const work = await deps.versions.work(payload.versionId);
      if (!work || work.state !== "downloaded") {
        context.log.info({ state: work?.state ?? "gone" }, "Version is not waiting for extraction; skipped");
        return;
      }
      const bytes = await deps.archives.get(payload.archiveSha256);
      if (!bytes) {
        // The store lost it (or it was collected by mistake): fetch it again rather than wait for ever.
        const reopened = await deps.versions.reopen([payload.versionId]);
        await queueReopenedVersions(deps.publisher, reopened);
        context.log.warn({ sha256: payload.archiveSha256 }, "Archive missing from the store; version queued for download again");
        return;
      }
      const contents = await readChartArchive(bytes, deps.limits);
      if (contents.chartName !== work.chart) {
        throw new InputError(
          `The archive of ${work.chart}@${work.version} holds chart "${contents.chartName}", not "${work.chart}"`,
          { code: "invalid_chart" },
        );
      }
      const ready = await deps.versions.markReady(payload.versionId, {
        chartYaml: contents.chartYaml,
        readme: contents.readme,
        valuesYaml: contents.values,
        valuesSchema: contents.valuesSchema,
        valuesSchemaError: contents.valuesSchemaError,
      });
      if (ready) {
        if (work.discoveredAt !== undefined) deps.metrics?.versionReady((Date.now() - work.discoveredAt.getTime()) / 1000);
        context.log.info({ chart: work.chart, version: work.version }, "Chart version ready");
        const current = { version: work.version, chartYaml: contents.chartYaml, values: contents.values, valuesSchema: contents.valuesSchema };
        await announceReady(deps, work, await readySummary(deps.summaries, work, current, context.log));
      }
    },
    ...versionFailureHandling(deps),
  };
}

async function announceReady(deps: ExtractMetadataDependencies, work: VersionWork, summary: ChartVersionSummary | null): Promise<void> {
  await deps.publisher.publish(chartVersionReady, {
    organizationId: work.registry.organizationId,
    registryId: work.registry.id,
    versionId: work.id,
    chart: work.chart,
    version: work.version,
    error: null,
    summary,
    at: new Date().toISOString(),
  });
}
