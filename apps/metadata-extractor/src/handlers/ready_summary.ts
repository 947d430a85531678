import { previousVersion, versionSummary, type ComparedVersion, type ReadVersion } from "@charthouse/chart-compare";
import type { ChartVersionSummary } from "@charthouse/contracts";
import type { MarkedReady, VersionMetadataReads } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import { readAlike, readOnce, type ReadyVersionMemory } from "./ready_version_memory.ts";

/** The reading shared by two versions that read alike, when neither was parsed: its content never matters. */
const unparsed: ReadVersion = { values: {}, images: [] };

/** What the extractor reads of a chart's other versions to summarise a new one (VersionMetadataReads has it). */
export type SummaryReads = Pick<VersionMetadataReads, "metadata">;

/**
 * What a version that just became ready changed against the previous ready version of its chart
 * by semver, for its chart.version.ready event: null when it is the chart's first ready version
 * (or the oldest), and null with one logged line when the summary cannot be computed, so that a
 * summary never stops a version from being announced. The previous version comes from `memory`
 * when this process made it ready, else from Postgres; each version's values are parsed once.
 */
export async function readySummary(
  deps: { reads: SummaryReads; memory: ReadyVersionMemory },
  ready: MarkedReady,
  chartName: string,
  current: ComparedVersion,
  log: Logger,
): Promise<ChartVersionSummary | null> {
  const chart = { registryId: ready.registryId, name: chartName };
  try {
    const previous = previousVersion(ready.otherReady, ready.version);
    if (previous === null) return null;
    let before = deps.memory.recall(previous.id, previous.archiveSha256);
    if (before === undefined) {
      const [stored] = await deps.reads.metadata(ready.organizationId, chart, [previous.id]);
      // Removed between the two reads: as if it had not been there.
      if (stored === undefined) return null;
      before = { version: stored.version, chartYaml: stored.chart_yaml, values: stored.values_yaml, valuesSchema: stored.values_schema };
      if (previous.archiveSha256 !== null) deps.memory.remember(previous.id, previous.archiveSha256, before);
    }
    let summary;
    if (readAlike(before, current)) {
      // Equal readings differ in nothing: one reading stands for both, and none is parsed for it.
      const shared = before.read ?? current.read ?? unparsed;
      summary = versionSummary({ ...before, read: shared }, { ...current, read: shared });
      if (before.read !== undefined) current.read ??= before.read;
    } else {
      summary = versionSummary({ ...before, read: readOnce(before) }, { ...current, read: readOnce(current) });
    }
    return {
      previousVersion: summary.previous_version,
      valuesAdded: summary.values_added,
      valuesRemoved: summary.values_removed,
      valuesChanged: summary.values_changed,
      imagesChanged: summary.images_changed,
      major: summary.major,
    };
  } catch (err) {
    log.warn({ err, chart: chartName, version: ready.version }, "Cannot summarise what the version changed; its ready event carries summary null");
    return null;
  }
}
