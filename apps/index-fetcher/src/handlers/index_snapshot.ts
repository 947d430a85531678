import type { IndexedChart, IndexedVersion } from "@charthouse/db";
import { compareVersionsDesc, resolveChartUrl, type IndexChartVersion, type ParsedIndex } from "@charthouse/registry-http";

/** An index reduced to the rows Charthouse stores, plus where each archive is downloaded from. */
export interface IndexSnapshot {
  charts: IndexedChart[];
  versions: IndexedVersion[];
  /** `chart\0version` -> absolute http(s) URL of its archive. */
  downloadUrls: Map<string, string>;
  /** Entries that were skipped, as sentences naming the place. */
  problems: string[];
}

/**
 * Turns a parsed index into chart and version rows: chart facts come from each chart's newest
 * version, and archive URLs are resolved against the index URL the way Helm resolves them.
 */
export function indexSnapshot(parsed: ParsedIndex, indexUrl: string): IndexSnapshot {
  const snapshot: IndexSnapshot = {
    charts: [],
    versions: [],
    downloadUrls: new Map(),
    problems: parsed.problems.map((p) => p.message),
  };
  for (const [name, entries] of parsed.charts) {
    const newest = [...entries].sort((a, b) => compareVersionsDesc(a.version, b.version))[0];
    snapshot.charts.push({
      name,
      description: newest?.description ?? null,
      icon: newest?.icon ?? null,
      home: newest?.home ?? null,
      keywords: newest?.keywords ?? [],
      latestVersion: newest?.version ?? null,
      appVersion: newest?.appVersion ?? null,
      deprecated: newest?.deprecated ?? false,
      versions: entries.length,
    });
    for (const entry of entries) {
      snapshot.versions.push(versionRow(name, entry));
      const url = downloadUrl(indexUrl, entry);
      if (url !== null) snapshot.downloadUrls.set(`${name}\u0000${entry.version}`, url);
    }
  }
  return snapshot;
}

function versionRow(chart: string, entry: IndexChartVersion): IndexedVersion {
  return {
    chart,
    version: entry.version,
    digest: entry.digest,
    appVersion: entry.appVersion,
    description: entry.description,
    created: entry.created,
    deprecated: entry.deprecated,
    urls: entry.urls,
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
