import { compareVersionsDesc } from "./version_order.ts";
import type { IndexedChart, IndexedVersion } from "./version_model.ts";

/** What a chart's row is made of: a version's facts (an indexed version, or a stored one). */
export type ChartFactsOfVersion = Pick<IndexedVersion, "version" | "description" | "appVersion" | "deprecated" | "indexMetadata">;

/**
 * A chart's row from its versions: the facts a catalogue shows (description, icon, home,
 * keywords, app version, deprecated) are its newest version's, in Helm's version order.
 */
export function chartOfVersions(name: string, versions: readonly ChartFactsOfVersion[]): IndexedChart {
  let newest: ChartFactsOfVersion | undefined;
  for (const version of versions) {
    if (newest === undefined || compareVersionsDesc(version.version, newest.version) < 0) newest = version;
  }
  const metadata = newest?.indexMetadata ?? {};
  return {
    name,
    description: newest?.description ?? null,
    icon: textOf(metadata.icon),
    home: textOf(metadata.home),
    keywords: Array.isArray(metadata.keywords) ? metadata.keywords.filter((k): k is string => typeof k === "string") : [],
    latestVersion: newest?.version ?? null,
    appVersion: newest?.appVersion ?? null,
    deprecated: newest?.deprecated ?? false,
    versions: versions.length,
  };
}

function textOf(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
