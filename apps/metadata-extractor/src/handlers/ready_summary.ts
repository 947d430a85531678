import { previousVersion, versionSummary, type ComparedVersion } from "@charthouse/chart-compare";
import type { ChartVersionSummary } from "@charthouse/contracts";
import type { VersionMetadataReads, VersionWork } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";

/** What the extractor reads of a chart's other versions to summarise a new one (VersionMetadataReads has it). */
export type SummaryReads = Pick<VersionMetadataReads, "readyVersions" | "metadata">;

/**
 * What a version that just became ready changed against the previous ready version of its chart
 * by semver, for its chart.version.ready event: null when it is the chart's first ready version
 * (or the oldest), and null with one logged line when the summary cannot be computed, so that a
 * summary never stops a version from being announced.
 */
export async function readySummary(reads: SummaryReads, work: VersionWork, current: ComparedVersion, log: Logger): Promise<ChartVersionSummary | null> {
  const organizationId = work.registry.organizationId;
  const chart = { registryId: work.registry.id, name: work.chart };
  try {
    const ready = (await reads.readyVersions(organizationId, chart)).filter((row) => row.id !== work.id);
    const previous = previousVersion(ready, work.version);
    if (previous === null) return null;
    const [stored] = await reads.metadata(organizationId, chart, [previous.id]);
    // Removed between the two reads: as if it had not been there.
    if (stored === undefined) return null;
    const before: ComparedVersion = { version: stored.version, chartYaml: stored.chart_yaml, values: stored.values_yaml, valuesSchema: stored.values_schema };
    const summary = versionSummary(before, current);
    return {
      previousVersion: summary.previous_version,
      valuesAdded: summary.values_added,
      valuesRemoved: summary.values_removed,
      valuesChanged: summary.values_changed,
      imagesChanged: summary.images_changed,
      major: summary.major,
    };
  } catch (err) {
    log.warn({ err, chart: work.chart, version: work.version }, "Cannot summarise what the version changed; its ready event carries summary null");
    return null;
  }
}
