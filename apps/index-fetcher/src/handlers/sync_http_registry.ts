import {
  diffVersions,
  finishSync,
  isEmptyDiff,
  leasedSyncHandler,
  writeVersionChanges,
  type LeasedSync,
  type StartedSync,
  type StoredVersion,
  type SyncResult,
  type SyncRunStore,
  type VersionStore,
} from "@charthouse/catalog";
import type { Slots } from "@charthouse/concurrency";
import { syncRequestedHttp, type MessagePublisher, type SyncRequested } from "@charthouse/contracts";
import type { SealedCredential } from "@charthouse/db";
import { InputError } from "@charthouse/errors";
import type { DeliveryContext, MessageHandler } from "@charthouse/messaging";
import { indexContentHash, parseIndex, type FetchedIndex } from "@charthouse/registry-http";
import { recordSync } from "@charthouse/service-runtime";
import type { z } from "zod";
import type { IndexFetchRecorder } from "./index_fetch_metrics.ts";
import { indexSnapshot, type IndexSnapshot } from "./index_snapshot.ts";
import type { IndexSource } from "./index_source.ts";
import { PhaseTimer } from "./phase_timer.ts";

/** The versions an HTTP sync reads and writes: the stored ones to diff against, and the writes of the diff. */
export interface HttpSyncVersions extends VersionStore {
  /** Every version stored for a registry, removed ones included. */
  storedVersions(registryId: string): Promise<StoredVersion[]>;
}

/** What an HTTP sync needs. */
export interface SyncHttpRegistryDependencies {
  syncRuns: SyncRunStore<SealedCredential>;
  versions: HttpSyncVersions;
  publisher: MessagePublisher;
  /** Where index.yaml is read from. */
  index: IndexSource;
  limits: { maxIndexVersions: number };
  /** Changed indexes read, parsed and written at once (CHARTHOUSE_FULL_SYNC_CONCURRENCY); a 304 never takes one. */
  fullSyncs: Slots;
  /** Syncs by outcome, index bytes and 304s (/metrics); none in tests that do not look. */
  metrics?: IndexFetchRecorder;
}

/**
 * Syncs one HTTP chart repository: a conditional GET of index.yaml (a 304 ends it), a content
 * hash for servers without validators (an equal hash ends it), else a parse and a diff against the
 * stored versions, written in a few batched statements, and a download request per version that
 * still needs its archive. Validators are stored last, so a crash before the end is redone. A
 * changed index waits for one of `fullSyncs` before its body is read and holds it to the end.
 */
export function syncHttpRegistryHandler(deps: SyncHttpRegistryDependencies): MessageHandler<z.ZodType<SyncRequested>> {
  return leasedSyncHandler(deps, {
    contract: syncRequestedHttp,
    record: (attempt) => recordSync(deps.metrics, attempt),
    sync: (started, _payload, context: DeliveryContext) => syncIndex(deps, started, context),
  });
}

/** One leased sync of an HTTP chart repository. */
async function syncIndex(
  deps: SyncHttpRegistryDependencies,
  started: StartedSync<SealedCredential>,
  context: DeliveryContext,
): Promise<SyncResult["outcome"]> {
  const phases = new PhaseTimer();
  let release: (() => void) | undefined;
  const beforeBody = async (): Promise<void> => {
    release = await deps.fullSyncs.take();
  };
  try {
    const fetched = await deps.index.fetch(started.leased.registry, { beforeBody });
    return await applyFetchedIndex(deps, started, context, phases, fetched);
  } finally {
    release?.();
  }
}

/** The rest of a sync once the index request has answered: a 304, an unchanged body, or a changed index. */
async function applyFetchedIndex(
  deps: SyncHttpRegistryDependencies,
  started: StartedSync<SealedCredential>,
  context: DeliveryContext,
  phases: PhaseTimer,
  fetched: FetchedIndex,
): Promise<SyncResult["outcome"]> {
  const { leased, log } = started;
  const registry = leased.registry;
  const { status } = fetched;

  const unchanged = (result: Partial<SyncResult>): SyncResult => ({
    outcome: "unchanged",
    httpStatus: status,
    bytes: 0,
    chartsSeen: null,
    versionsAdded: 0,
    versionsRemoved: 0,
    etag: registry.etag,
    lastModified: registry.lastModified,
    contentHash: registry.contentHash,
    ...result,
  });

  if (!fetched.changed) {
    deps.metrics?.indexNotModified();
    await finishSync(deps, started, unchanged({}));
    // A fleet re-syncs thousands of unchanged registries a second: their sync runs and events
    // record each one, so the line is for debugging only.
    log.debug("Index not modified (304)");
    return "unchanged";
  }
  const bytes = fetched.body.byteLength;
  deps.metrics?.indexFetched(bytes);
  const contentHash = indexContentHash(fetched.body);
  const validators = { etag: fetched.validators.etag, lastModified: fetched.validators.lastModified, contentHash };
  if (contentHash === registry.contentHash) {
    await finishSync(deps, started, unchanged({ bytes, ...validators }));
    log.info("Index content unchanged (same content hash)");
    return "unchanged";
  }

  phases.mark("fetch");
  await started.start.announce();
  const snapshot = takeSnapshot(deps, registry.name, fetched);
  phases.mark("parse");
  const applied = await applyIndex(deps, leased, snapshot, context, phases);
  await finishSync(deps, started, {
    outcome: applied.changed ? "updated" : "unchanged",
    httpStatus: status,
    bytes,
    chartsSeen: applied.charts,
    versionsAdded: applied.added,
    versionsRemoved: applied.removed,
    ...validators,
  });
  log.info({ ...applied, phasesMs: phases.durations() }, "Index synced");
  return applied.changed ? "updated" : "unchanged";
}

/**
 * Parses a changed index into the rows Charthouse stores, then lets go of its body, so a 20 MB
 * index.yaml is not held in memory while its versions are written. The body is replaced rather
 * than left to go out of scope: the awaiting callers' frames would keep it alive to the sync's end.
 */
function takeSnapshot(
  deps: SyncHttpRegistryDependencies,
  registryName: string,
  fetched: Extract<FetchedIndex, { changed: true }>,
): IndexSnapshot {
  const parsed = parseIndex(fetched.body, { maxVersions: deps.limits.maxIndexVersions, source: registryName });
  fetched.body = new Uint8Array();
  const snapshot = indexSnapshot(parsed, fetched.url);
  // An index without a single usable version is a misconfigured server (api.md: "no charts"),
  // not a reason to tombstone the whole catalogue.
  if (snapshot.versions.length === 0) {
    const why = snapshot.problems.length > 0 ? `: ${snapshot.problems.slice(0, 3).join("; ")}` : "";
    throw new InputError(`index.yaml of "${registryName}" lists no chart versions${why}`, { code: "invalid_index" });
  }
  return snapshot;
}

/** What applying an index changed, for the sync run and its log line. */
interface AppliedIndex {
  changed: boolean;
  charts: number;
  versions: number;
  added: number;
  refetched: number;
  removed: number;
  queued: number;
  problems: number;
}

/**
 * Diffs an index's rows against the stored versions, writes the diff in slices and queues a
 * download per version that needs its archive, the queue publishing while the next slice is written.
 */
async function applyIndex(
  deps: SyncHttpRegistryDependencies,
  leased: LeasedSync<SealedCredential>,
  snapshot: IndexSnapshot,
  context: DeliveryContext,
  phases: PhaseTimer,
): Promise<AppliedIndex> {
  const registry = leased.registry;
  const stored = await deps.versions.storedVersions(registry.id);
  const changes = diffVersions(snapshot.charts, snapshot.versions, stored);
  phases.mark("diff");

  const { queued } = await writeVersionChanges(deps, {
    sync: leased,
    changes,
    stored,
    completeCharts: true,
    working: () => context.working(),
  });
  phases.mark("write and queue");
  return {
    changed: !isEmptyDiff(changes),
    charts: snapshot.charts.length,
    versions: snapshot.versions.length,
    added: changes.added.length,
    refetched: changes.refetch.length,
    removed: changes.removedIds.length,
    queued,
    problems: snapshot.problems.length,
  };
}
