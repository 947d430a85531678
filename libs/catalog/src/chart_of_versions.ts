import type { IndexedChart, IndexedVersion } from "@charthouse/db";
import { compareVersionsDesc } from "@charthouse/registry-http";

/**
 * A chart's row from its versions: the facts a catalogue shows (description, icon, home,
 * keywords, app version, deprecated) are its newest version's, in Helm's version order.
 */
export function chartOfVersions(name: string, versions: readonly IndexedVersion[]): IndexedChart {
  let newest: IndexedVersion | undefined;
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
