import { maxVersionsPerEvent, type ChartVersionsEvent, type ChartVersionsEventContract } from "@charthouse/contracts";
import type { Publisher } from "./publisher.ts";

/** A stored chart version, as a version event names it. */
export interface VersionEventSubject {
  /** The chart_versions row id. */
  id: string;
  chart: string;
  version: string;
}

/** The versions of one registry that chart.version.discovered/removed events are published for. */
export interface VersionEventBatch {
  organizationId: string;
  registryId: string;
  versions: Iterable<VersionEventSubject>;
  /** When it happened (RFC 3339); now when omitted. One time for the whole batch. */
  at?: string;
  /** Acknowledgements outstanding at once (Publisher.publishMany's window). */
  window?: number;
}

/**
 * Publishes `chart.version.discovered.v1` (a fetcher stored new or re-published versions) or
 * `chart.version.removed.v1` (it tombstoned them) for versions of one registry: one message per
 * chart and up to 200 of its versions, with a window of acknowledgements in flight. Call it once
 * the versions are committed; start it without awaiting to overlap it with other publishing.
 * Resolves with the number of messages published.
 */
export async function publishVersionEvents(
  publisher: Publisher,
  contract: ChartVersionsEventContract,
  batch: VersionEventBatch,
): Promise<number> {
  const at = batch.at ?? new Date().toISOString();
  const byChart = new Map<string, ChartVersionsEvent["versions"]>();
  for (const v of batch.versions) {
    const versions = byChart.get(v.chart);
    if (versions) versions.push({ versionId: v.id, version: v.version });
    else byChart.set(v.chart, [{ versionId: v.id, version: v.version }]);
  }
  const messages: ChartVersionsEvent[] = [];
  for (const [chart, versions] of byChart) {
    for (let start = 0; start < versions.length; start += maxVersionsPerEvent) {
      messages.push({
        organizationId: batch.organizationId,
        registryId: batch.registryId,
        chart,
        versions: versions.slice(start, start + maxVersionsPerEvent),
        at,
      });
    }
  }
  return await publisher.publishMany(contract, messages, batch.window === undefined ? {} : { window: batch.window });
}
