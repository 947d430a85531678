import { versionKey } from "./version_key.ts";
import type { IndexedChart, IndexedVersion, StoredVersion, VersionChangeSlice, VersionChanges } from "./version_model.ts";

/**
 * Compares what a registry publishes (an index, or OCI tags) with what is stored, by (chart, version, digest): new
 * versions are added, vanished ones tombstoned, a changed digest (a re-published version) and a
 * version back after removal are fetched again, and changed index facts are updated in place.
 */
export function diffVersions(
  charts: readonly IndexedChart[],
  versions: readonly IndexedVersion[],
  stored: readonly StoredVersion[],
): VersionChanges {
  const storedByKey = new Map<string, StoredVersion>();
  for (const row of stored) storedByKey.set(versionKey(row.chart, row.version), row);

  const changes: VersionChanges = { charts: [...charts], added: [], refetch: [], updated: [], removedIds: [] };
  const seen = new Set<string>();
  for (const version of versions) {
    const key = versionKey(version.chart, version.version);
    seen.add(key);
    const existing = storedByKey.get(key);
    if (!existing) {
      changes.added.push(version);
    } else if (existing.state === "removed" || existing.digest !== version.digest) {
      changes.refetch.push({ ...version, id: existing.id });
    } else if (existing.deprecated !== version.deprecated) {
      changes.updated.push({ ...version, id: existing.id });
    }
  }
  for (const row of stored) {
    if (row.state !== "removed" && !seen.has(versionKey(row.chart, row.version))) changes.removedIds.push(row.id);
  }
  return changes;
}

/** True when a diff writes nothing. */
export function isEmptyDiff(changes: VersionChanges): boolean {
  return (
    changes.added.length === 0 &&
    changes.refetch.length === 0 &&
    changes.updated.length === 0 &&
    changes.removedIds.length === 0
  );
}

/** Cuts a diff's version changes into slices of at most `size` versions each. */
export function* diffSlices(changes: VersionChanges, size: number): Generator<VersionChangeSlice> {
  const { added, refetch, updated, removedIds } = changes;
  const longest = Math.max(added.length, refetch.length, updated.length, removedIds.length);
  for (let start = 0; start < longest; start += size) {
    yield {
      added: added.slice(start, start + size),
      refetch: refetch.slice(start, start + size),
      updated: updated.slice(start, start + size),
      removedIds: removedIds.slice(start, start + size),
    };
  }
}
