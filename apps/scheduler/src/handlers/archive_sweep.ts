import type { ArchiveCollection } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import { Counter, Gauge, type Registry } from "prom-client";
import { startPeriodicTask, type PeriodicTask } from "./periodic_task.ts";

/** The archive store as the sweep sees it (ArchiveStore of @charthouse/messaging). */
export interface SweptArchiveStore {
  list(): Promise<{ sha256: string; size: number; storedAt: Date }[]>;
  delete(sha256: string): Promise<boolean>;
  storedBytes(): Promise<number>;
}

/** Postgres as the sweep sees it (ArchiveReferences and purgeVersionTombstones of @charthouse/db). */
export interface SweptReferences {
  unreferenced(candidates: readonly string[]): Promise<string[]>;
  collectArchive(sha256: string, remove: () => Promise<boolean>): Promise<ArchiveCollection>;
  purgeTombstones(retentionDays: number): Promise<number>;
}

/** Settings of the storage sweep. */
export interface StorageSweepOptions {
  /** An archive stored less than this long ago is never collected (a download may be recording it). */
  graceSeconds: number;
  /** Removed versions are kept this long, then purged. */
  tombstoneRetentionDays: number;
}

/** What one sweep did. */
export interface StorageSweepResult {
  /** Archives stored when the sweep began. */
  archives: number;
  /** Older than the grace period and referenced by no version at the first look. */
  candidates: number;
  collected: number;
  bytesFreed: number;
  /** Skipped because a download held the archive's lock: left for the next sweep. */
  busy: number;
  /** Referenced again by the time its lock was taken. */
  referencedMeanwhile: number;
  tombstonesPurged: number;
  /** Bytes the bucket takes after the sweep. */
  storeBytes: number;
}

/** The storage metrics of /metrics, updated by every sweep. */
export interface StorageSweepMetrics {
  record(result: StorageSweepResult): void;
}

/** Registers the storage gauges and counters on a service's metrics registry. */
export function storageSweepMetrics(registry: Registry): StorageSweepMetrics {
  const registers = [registry];
  const storeBytes = new Gauge({ name: "charthouse_archive_store_bytes", help: "Bytes the archive bucket takes in JetStream", registers });
  const storeObjects = new Gauge({ name: "charthouse_archive_store_objects", help: "Archives stored", registers });
  const collected = new Counter({
    name: "charthouse_archives_collected_total",
    help: "Archives deleted because no version referenced them",
    registers,
  });
  const bytesFreed = new Counter({ name: "charthouse_archive_bytes_collected_total", help: "Bytes of the archives collected", registers });
  const purged = new Counter({ name: "charthouse_tombstones_purged_total", help: "Removed versions purged after their retention", registers });
  return {
    record(result) {
      storeBytes.set(result.storeBytes);
      storeObjects.set(result.archives - result.collected);
      collected.inc(result.collected);
      bytesFreed.inc(result.bytesFreed);
      purged.inc(result.tombstonesPurged);
    },
  };
}

const lookupSlice = 2_000;

/**
 * One storage sweep: archives older than the grace period that no version references are each
 * deleted under the exclusive `archive-store:<sha256>` lock after a second look at their
 * references (a download in progress holds that lock shared, so it is skipped, never raced);
 * then tombstones past their retention are purged. Safe with any number of copies at once.
 */
export async function sweepStorage(
  store: SweptArchiveStore,
  references: SweptReferences,
  options: StorageSweepOptions & { now?: Date },
): Promise<StorageSweepResult> {
  const now = (options.now ?? new Date()).getTime();
  const stored = await store.list();
  const old = stored.filter((archive) => now - archive.storedAt.getTime() >= options.graceSeconds * 1000);
  const sizes = new Map(old.map((archive) => [archive.sha256, archive.size]));
  // Looked up in slices, so one query never carries the whole store's names.
  const names = [...sizes.keys()];
  const candidates: string[] = [];
  for (let i = 0; i < names.length; i += lookupSlice) {
    candidates.push(...(await references.unreferenced(names.slice(i, i + lookupSlice))));
  }
  const result: StorageSweepResult = {
    archives: stored.length,
    candidates: candidates.length,
    collected: 0,
    bytesFreed: 0,
    busy: 0,
    referencedMeanwhile: 0,
    tombstonesPurged: 0,
    storeBytes: 0,
  };
  for (const sha256 of candidates) {
    const outcome = await references.collectArchive(sha256, () => store.delete(sha256));
    if (outcome === "deleted") {
      result.collected++;
      result.bytesFreed += sizes.get(sha256) ?? 0;
    } else if (outcome === "busy") result.busy++;
    else if (outcome === "referenced") result.referencedMeanwhile++;
  }
  result.tombstonesPurged = await references.purgeTombstones(options.tombstoneRetentionDays);
  result.storeBytes = await store.storedBytes();
  return result;
}

/** Runs sweepStorage every `intervalMs` (the first one interval after start), logging one line per sweep. */
export function startStorageSweep(
  store: SweptArchiveStore,
  references: SweptReferences,
  options: StorageSweepOptions & { intervalMs: number; log: Pick<Logger, "info" | "error">; metrics?: StorageSweepMetrics },
): PeriodicTask {
  return startPeriodicTask(
    async () => {
      const started = Date.now();
      const result = await sweepStorage(store, references, options);
      options.metrics?.record(result);
      options.log.info({ ...result, ms: Date.now() - started }, "Storage sweep done");
    },
    { intervalMs: options.intervalMs, onError: (err) => options.log.error({ err }, "Storage sweep failed; trying again next interval") },
  );
}
