import { chartOfVersions, type IndexedChart, type IndexedVersion } from "@charthouse/catalog";
import { resolveChartUrl, type IndexChartVersion, type ParsedIndex } from "@charthouse/registry-http";

/** An index reduced to the rows Charthouse stores, each version with where its archive is downloaded from. */
export interface IndexSnapshot {
  charts: IndexedChart[];
  versions: IndexedVersion[];
  /** Entries that were skipped, as sentences naming the place. */
  problems: string[];
}

/**
 * Turns a parsed index into chart and version rows (chart facts from each chart's newest
 * version), and archive URLs are resolved against the index URL the way Helm resolves them.
 */
export function indexSnapshot(parsed: ParsedIndex, indexUrl: string): IndexSnapshot {
  const snapshot: IndexSnapshot = { charts: [], versions: [], problems: parsed.problems.map((p) => p.message) };
  for (const [name, entries] of parsed.charts) {
    const rows = entries.map((entry) => versionRow(name, entry, indexUrl));
    snapshot.charts.push(chartOfVersions(name, rows));
    snapshot.versions.push(...rows);
  }
  return snapshot;
}

function versionRow(chart: string, entry: IndexChartVersion, indexUrl: string): IndexedVersion {
  return {
    chart,
    version: entry.version,
    digest: entry.digest,
    appVersion: entry.appVersion,
    description: entry.description,
    created: entry.created,
    deprecated: entry.deprecated,
    urls: entry.urls,
    downloadUrl: downloadUrl(indexUrl, entry),
    indexMetadata: {
      api_version: entry.apiVersion,
      type: entry.type,
      kube_version: entry.kubeVersion,
      icon: entry.icon,
      home: entry.home,
      keywords: entry.keywords,
      ...entry.metadata,
    },
  };
}

/** The first of an entry's URLs that resolves to http(s), or null. */
function downloadUrl(indexUrl: string, entry: IndexChartVersion): string | null {
  for (const url of entry.urls) {
    try {
      const resolved = resolveChartUrl(indexUrl, url);
      const protocol = new URL(resolved).protocol;
      if (protocol === "http:" || protocol === "https:") return resolved;
    } catch {
      // An unusable URL: try the next mirror.
    }
  }
  return null;
}
