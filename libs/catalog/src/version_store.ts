import type { StoredError } from "@charthouse/errors";
import type { IndexedChart, PendingVersion, VersionChangeSlice } from "./version_model.ts";

/** Where a sync's version changes are written (Postgres in services, memory in tests). */
export interface VersionStore {
  /**
   * Inserts or updates the registry's charts. With `complete` (the charts are every chart of the
   * registry) the counts of charts not given are zeroed; without it only the given charts change.
   */
  upsertCharts(registryId: string, charts: readonly IndexedChart[], options?: { complete?: boolean }): Promise<void>;
  /** Applies one slice of a diff in one transaction; returns the versions it put in `discovered`. */
  applyVersions(registryId: string, changes: VersionChangeSlice): Promise<PendingVersion[]>;
  /** Versions of a registry still waiting for their archive. */
  pendingDownloads(registryId: string): Promise<PendingVersion[]>;
  /** Marks versions failed for good with one error (unless removed meanwhile). */
  markFailed(versionIds: string | readonly string[], error: StoredError): Promise<void>;
}
