/** One chart version of an index.yaml, kept compact: only what sync and the UI need. */
export interface IndexChartVersion {
  name: string;
  /** As written in the index (`v1.2`, `2.0.000`, `1.0.0+up1` stay verbatim). */
  version: string;
  appVersion: string | null;
  /** At most 4 KB. */
  description: string | null;
  icon: string | null;
  home: string | null;
  keywords: string[];
  /** As written (RFC 3339 or Helm 2 style), or null when the index has none. */
  created: string | null;
  /** Lowercase hex without a `sha256:` prefix, or null when the index has none. */
  digest: string | null;
  /** As written, relative or absolute; resolve with resolveChartUrl(). */
  urls: string[];
  deprecated: boolean;
  /** Chart apiVersion, "v1" when missing (as Helm defaults it). */
  apiVersion: string;
  type: string | null;
  kubeVersion: string | null;
  /** What the UI shows beyond the fields above, capped in size. */
  metadata: IndexVersionMetadata;
}

/** The capped extra metadata of a chart version (all optional, all JSON). */
export interface IndexVersionMetadata {
  maintainers?: { name: string; email?: string; url?: string }[];
  sources?: string[];
  annotations?: Record<string, string>;
  dependencies?: IndexDependency[];
  /** True when something was left out to stay under the size cap. */
  truncated?: boolean;
}

/** A dependency as listed in an index entry. */
export interface IndexDependency {
  name: string;
  version?: string;
  repository?: string;
  condition?: string;
  alias?: string;
}

/** An entry that was skipped, and why; the rest of the index is still usable. */
export interface IndexProblem {
  /** Where in the index, e.g. `entries.nginx[3]`. */
  path: string;
  /** A whole sentence that names the place, e.g. `entries.nginx[3].version is empty`. */
  message: string;
}

/** A (chart, version) pair listed more than once; the first one is kept. */
export interface IndexDuplicate {
  chart: string;
  version: string;
}

/** An index.yaml reduced to its compact records. */
export interface ParsedIndex {
  /** The index's apiVersion ("v1" when missing, with a problem listed). */
  apiVersion: string;
  generated: string | null;
  /** Chart name -> versions in the order the index lists them (charts without versions included). */
  charts: Map<string, IndexChartVersion[]>;
  /** Number of versions kept (duplicates and skipped entries not counted). */
  versionCount: number;
  duplicates: IndexDuplicate[];
  problems: IndexProblem[];
}

/** Limits and labels for parseIndex(). */
export interface ParseIndexOptions {
  /** Refuse indexes with more versions (CHARTHOUSE_MAX_INDEX_VERSIONS); default 100,000. */
  maxVersions?: number;
  /** Names the index in error messages, e.g. the registry name: `index.yaml of "my-charts"`. */
  source?: string;
}
