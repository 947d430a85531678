import { readChartArchive, type ChartArchiveContents, type ChartArchiveLimits } from "@charthouse/chart-archive";
import type { ComparedVersion } from "@charthouse/chart-compare";
import { chartDownloaded, chartVersionReady, type ChartDownloaded, type ChartVersionSummary, type MessagePublisher } from "@charthouse/contracts";
import type { ChartVersionRepository, MarkedReady, VersionReadyWrites, VersionWork } from "@charthouse/db";
import { queueReopenedVersions } from "@charthouse/catalog";
import { InputError } from "@charthouse/errors";
import type { ArchiveStore, DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { versionFailureHandling } from "@charthouse/service-runtime";
import type { z } from "zod";
import type { ExtractionRecorder } from "./extraction_metrics.ts";
import { readySummary, type SummaryReads } from "./ready_summary.ts";
import type { ReadyVersionMemory } from "./ready_version_memory.ts";

/** The version rows the extractor reads and writes besides the ready write (ChartVersionRepository has them). */
export type ExtractionVersions = Pick<ChartVersionRepository, "work" | "reopen" | "recordRetry" | "markFailed">;

/** The archive store as the extractor sees it (ArchiveStore of @charthouse/messaging). */
export type ExtractionArchives = Pick<ArchiveStore, "get">;

/** What the extractor reads, writes and publishes. */
export interface ExtractMetadataDependencies {
  versions: ExtractionVersions;
  /** downloaded -> ready, reading back the chart's other ready versions in the same statement. */
  readyWrites: Pick<VersionReadyWrites, "markReady">;
  /** The chart's other versions, to summarise a new one against the previous (see readySummary). */
  summaries: SummaryReads;
  /** The versions this process made ready last, so a summary seldom reads or parses its previous version again. */
  memory: ReadyVersionMemory;
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
 * the store sends the version back to be downloaded again. The version row is written once, on
 * the condition that it waits for extraction; only when that write or the archive fails is the
 * row read, to tell a replay (skipped) from a failure of this version.
 */
export function extractMetadataHandler(deps: ExtractMetadataDependencies): MessageHandler<z.ZodType<ChartDownloaded>> {
  return {
    contract: chartDownloaded,
    async handle(payload: ChartDownloaded, context: DeliveryContext): Promise<void> {
      const bytes = await deps.archives.get(payload.archiveSha256);
      if (!bytes) {
        if ((await waitingWork(deps, payload, context)) === null) return;
        // The store lost it (or it was collected by mistake): fetch it again rather than wait for ever.
        const reopened = await deps.versions.reopen([payload.versionId]);
        await queueReopenedVersions(deps.publisher, reopened);
        context.log.warn({ sha256: payload.archiveSha256 }, "Archive missing from the store; version queued for download again");
        return;
      }
      let contents: ChartArchiveContents;
      try {
        contents = await readChartArchive(bytes, deps.limits);
      } catch (err) {
        if ((await waitingWork(deps, payload, context)) === null) return;
        throw err;
      }
      const ready = await deps.readyWrites.markReady(payload.versionId, contents.chartName, {
        chartYaml: contents.chartYaml,
        readme: contents.readme,
        valuesYaml: contents.values,
        valuesSchema: contents.valuesSchema,
        valuesSchemaError: contents.valuesSchemaError,
      });
      if (ready === null) {
        const work = await waitingWork(deps, payload, context);
        if (work !== null && work.chart !== contents.chartName) {
          throw new InputError(
            `The archive of ${work.chart}@${work.version} holds chart "${contents.chartName}", not "${work.chart}"`,
            { code: "invalid_chart" },
          );
        }
        return;
      }
      deps.metrics?.versionReady((Date.now() - ready.discoveredAt.getTime()) / 1000);
      context.log.debug({ chart: contents.chartName, version: ready.version }, "Chart version ready");
      const current: ComparedVersion = {
        version: ready.version,
        chartYaml: contents.chartYaml,
        values: contents.values,
        valuesSchema: contents.valuesSchema,
      };
      // Remembered at once: a later version of the chart handled meanwhile can compare against it.
      deps.memory.remember(ready.id, payload.archiveSha256, current);
      const summary = await readySummary({ reads: deps.summaries, memory: deps.memory }, ready, contents.chartName, current, context.log);
      await announceReady(deps, ready, contents.chartName, summary);
    },
    ...versionFailureHandling(deps),
  };
}

/** The version when it still waits for extraction; null, with a line saying so, when it does not (a replay, or gone). */
async function waitingWork(deps: ExtractMetadataDependencies, payload: ChartDownloaded, context: DeliveryContext): Promise<VersionWork | null> {
  const work = await deps.versions.work(payload.versionId);
  if (work?.state === "downloaded") return work;
  context.log.info({ state: work?.state ?? "gone" }, "Version is not waiting for extraction; skipped");
  return null;
}

async function announceReady(deps: ExtractMetadataDependencies, ready: MarkedReady, chart: string, summary: ChartVersionSummary | null): Promise<void> {
  await deps.publisher.publish(chartVersionReady, {
    organizationId: ready.organizationId,
    registryId: ready.registryId,
    versionId: ready.id,
    chart,
    version: ready.version,
    error: null,
    summary,
    at: new Date().toISOString(),
  });
}
