/** The life of a version: discovered -> downloaded -> ready | failed; removed is a tombstone. */
export type ChartVersionState = "discovered" | "downloaded" | "ready" | "failed" | "removed";

/** A version as a registry publishes it (an index entry, or an OCI tag), ready to be stored. */
export interface IndexedVersion {
  chart: string;
  version: string;
  digest: string | null;
  appVersion: string | null;
  description: string | null;
  created: string | null;
  deprecated: boolean;
  urls: string[];
  ociReference?: string | null;
  /** OCI: the manifest digest the version was read from. */
  manifestDigest?: string | null;
  /**
   * Where its archive is fetched from (http(s) URL, or oci://HOST/REPOSITORY@sha256:HEX); null
   * when nowhere usable, or when this sync did not read it (a known OCI tag kept as stored).
   */
  downloadUrl: string | null;
  indexMetadata: Record<string, unknown>;
}

/** A chart with the facts of its latest version, as the registry publishes it. */
export interface IndexedChart {
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  keywords: string[];
  latestVersion: string | null;
  appVersion: string | null;
  deprecated: boolean;
  versions: number;
}

/** A version already stored for a registry: what a diff compares against. */
export interface StoredVersion {
  id: string;
  chart: string;
  version: string;
  digest: string | null;
  state: ChartVersionState;
  deprecated: boolean;
}

/** A stored version of an OCI registry, with its source and the facts its chart shows. */
export interface StoredOciVersion extends StoredVersion {
  /** `oci://HOST/REPOSITORY:TAG` it was read from. */
  ociReference: string | null;
  manifestDigest: string | null;
  appVersion: string | null;
  description: string | null;
  indexMetadata: Record<string, unknown>;
}

/** The writes that bring a registry's stored versions in line with what it publishes. */
export interface VersionChanges {
  charts: IndexedChart[];
  added: IndexedVersion[];
  /** Re-published under a new digest, or back after removal: fetched again. */
  refetch: (IndexedVersion & { id: string })[];
  /** Same archive, other index facts (deprecated flag, description). */
  updated: (IndexedVersion & { id: string })[];
  removedIds: string[];
}

/** The version writes of a diff without its charts: what one write transaction applies. */
export type VersionChangeSlice = Omit<VersionChanges, "charts">;

/** A version waiting for its archive. */
export interface PendingVersion {
  id: string;
  chart: string;
  version: string;
  digest: string | null;
  /** Where its archive is fetched from; null when the registry gave no usable URL. */
  downloadUrl: string | null;
  /** How often it was re-opened: part of its download request's message id. */
  requeues: number;
}

/** A version sent back to `discovered` to be downloaded again, with its registry. */
export interface ReopenedVersion extends PendingVersion {
  registryId: string;
}

/** A version in flight whose next step has not happened for a long time. */
export interface StuckVersion extends ReopenedVersion {
  state: "discovered" | "downloaded";
  archiveSha256: string | null;
  size: number | null;
}
