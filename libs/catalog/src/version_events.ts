import { maxVersionsPerEvent, type ChartVersionsEvent } from "@charthouse/contracts";

/** A stored chart version, as a version event names it. */
export interface VersionEventSubject {
  /** The chart_versions row id. */
  id: string;
  chart: string;
  version: string;
}

/** The versions of one registry that chart.version.discovered/removed events are made for. */
export interface VersionEventBatch {
  organizationId: string;
  registryId: string;
  versions: Iterable<VersionEventSubject>;
  /** When it happened (RFC 3339): one time for the whole batch. */
  at: string;
}

/**
 * The chart.version.discovered/removed messages of a batch of one registry's versions: one per
 * chart and up to maxVersionsPerEvent of its versions, charts in the order first met. A cold sync
 * of a large index lists tens of thousands of versions; a message each would cost more than
 * writing them.
 */
export function versionEvents(batch: VersionEventBatch): ChartVersionsEvent[] {
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
        at: batch.at,
      });
    }
  }
  return messages;
}
