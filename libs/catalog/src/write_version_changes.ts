import { chartVersionDeprecated, chartVersionDiscovered, chartVersionRemoved, chartVersionRepushed, type MessagePublisher } from "@charthouse/contracts";
import { DownloadQueue } from "./download_queue.ts";
import type { LeasedSync, SyncRunStore } from "./sync_run.ts";
import { VersionAnnouncer } from "./version_announcer.ts";
import { diffSlices } from "./version_diff.ts";
import type { StoredVersion, VersionChanges } from "./version_model.ts";
import type { VersionStore } from "./version_store.ts";

/** Versions written per transaction; each slice's downloads are queued while the next is written. */
const WRITE_SLICE = 2_000;

/** What writing a sync's changes needs. */
export interface CatalogWriterDependencies {
  syncRuns: Pick<SyncRunStore, "renewLease">;
  versions: VersionStore;
  publisher: MessagePublisher;
}

/** One sync's changes to write. */
export interface VersionChangesToWrite {
  /** The leased sync: its registry, and its delivery attempts (after the first, leftovers of an interrupted one are queued too). */
  sync: LeasedSync<unknown>;
  /** The diff; each new or re-fetched version carries where its archive is downloaded from. */
  changes: VersionChanges;
  /** The versions stored before this sync, which the diff was made against (names the tombstoned ones). */
  stored: readonly StoredVersion[];
  /** The changes list every chart of the registry (an index); false when they list only the charts that changed (OCI). */
  completeCharts: boolean;
  /** Called after each slice so a long write keeps its message. */
  working(): void;
}

/** What was written: versions put in `discovered` by this sync, and download requests queued. */
export interface WrittenVersionChanges {
  inserted: number;
  queued: number;
}

/**
 * Writes a sync's diff in slices of a few set-based statements each, and queues a download
 * request per version that needs its archive, publishing while the next slice is written. Each
 * slice's new and tombstoned versions are announced (chart.version.discovered/removed) once it
 * commits, also in the background.
 */
export async function writeVersionChanges(deps: CatalogWriterDependencies, write: VersionChangesToWrite): Promise<WrittenVersionChanges> {
  const { id: registryId, organizationId } = write.sync.registry;
  const changes = write.changes;
  await deps.versions.upsertCharts(registryId, changes.charts, { complete: write.completeCharts });
  const queue = new DownloadQueue(deps, registryId);
  const announcer = new VersionAnnouncer(deps.publisher, { organizationId, registryId });
  const removable = new Map(write.stored.filter((v) => v.state !== "removed").map((v) => [v.id, v]));
  let inserted = 0;
  for (const slice of diffSlices(changes, WRITE_SLICE)) {
    const pending = await deps.versions.applyVersions(registryId, slice);
    inserted += pending.length - slice.refetch.length;
    announcer.add(chartVersionDiscovered, pending);
    announcer.add(chartVersionRemoved, slice.removedIds.flatMap((id) => removable.get(id) ?? []));
    // For watch rules: a stored version under a new digest is re-pushed; one whose deprecated flag turned on is deprecated.
    announcer.add(chartVersionRepushed, slice.refetch.filter((v) => isRepush(removable.get(v.id), v.digest)));
    announcer.add(chartVersionDeprecated, slice.updated.filter((v) => v.deprecated && removable.get(v.id)?.deprecated === false));
    queue.add(pending);
    write.working();
  }
  await deps.syncRuns.renewLease(write.sync.syncRunId);

  // Versions inserted by an earlier, interrupted attempt of this sync were not returned above.
  if (write.sync.attempts > 1 || inserted < changes.added.length) announcer.add(chartVersionDiscovered, await queue.addLeftovers());
  const queued = await queue.drain();
  await announcer.drain();
  write.working();
  return { inserted, queued };
}

/** A version stored with one digest and now published with another (a version back after removal is not a re-push). */
function isRepush(before: StoredVersion | undefined, digest: string | null): boolean {
  return before !== undefined && before.digest !== null && digest !== null && before.digest !== digest;
}
