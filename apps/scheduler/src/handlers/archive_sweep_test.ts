import { describe, expect, it } from "vitest";
import type { ArchiveCollection } from "@charthouse/db";
import { Registry } from "prom-client";
import { waitFor } from "@charthouse/testing";
import {
  startStorageSweep,
  storageSweepMetrics,
  sweepStorage,
  type StorageSweepResult,
  type SweptArchiveStore,
  type SweptReferences,
} from "./archive_sweep.ts";

const now = new Date("2026-12-01T12:00:00Z");
const hoursAgo = (hours: number): Date => new Date(now.getTime() - hours * 3_600_000);
const sha = (n: number): string => n.toString(16).padStart(64, "0");

/** An in-memory object store; `deletes` counts every delete that removed something. */
function fakeStore(archives: { sha256: string; size: number; storedAt: Date }[]): SweptArchiveStore & { names(): string[]; deletes: number } {
  const stored = new Map(archives.map((a) => [a.sha256, a]));
  const fake = {
    deletes: 0,
    names: () => [...stored.keys()].sort(),
    list: async () => [...stored.values()],
    delete: async (sha256: string) => {
      await Promise.resolve();
      if (!stored.delete(sha256)) return false;
      fake.deletes++;
      return true;
    },
    storedBytes: async () => [...stored.values()].reduce((sum, a) => sum + a.size, 0),
  };
  return fake;
}

/**
 * Postgres as a fake: `referenced` is what versions point to, `locked` the archives a download
 * holds the shared lock on; the exclusive lock is a set shared by every sweep using this fake.
 */
function fakeReferences(state: { referenced: Set<string>; locked?: Set<string>; tombstones?: number[] }): SweptReferences & {
  purgedWith: number[];
} {
  const exclusive = new Set<string>();
  const fake = {
    purgedWith: [] as number[],
    unreferenced: async (candidates: readonly string[]) => candidates.filter((c) => !state.referenced.has(c)),
    collectArchive: async (sha256: string, remove: () => Promise<boolean>): Promise<ArchiveCollection> => {
      if (exclusive.has(sha256) || state.locked?.has(sha256)) return "busy";
      exclusive.add(sha256);
      try {
        await Promise.resolve();
        if (state.referenced.has(sha256)) return "referenced";
        return (await remove()) ? "deleted" : "gone";
      } finally {
        exclusive.delete(sha256);
      }
    },
    purgeTombstones: async (retentionDays: number) => {
      fake.purgedWith.push(retentionDays);
      const ages = state.tombstones ?? [];
      const kept = ages.filter((days) => days <= retentionDays);
      const purged = ages.length - kept.length;
      state.tombstones = kept;
      return purged;
    },
  };
  return fake;
}

const options = { graceSeconds: 3_600, tombstoneRetentionDays: 30, now };

describe("sweepStorage()", () => {
  it("collects the old archives no version references, and keeps referenced and young ones", async () => {
    const store = fakeStore([
      { sha256: sha(1), size: 100, storedAt: hoursAgo(5) }, // referenced
      { sha256: sha(2), size: 200, storedAt: hoursAgo(5) }, // orphan: collected
      { sha256: sha(3), size: 300, storedAt: hoursAgo(0.5) }, // orphan inside the grace period
      { sha256: sha(4), size: 400, storedAt: hoursAgo(1) }, // orphan exactly at the grace period
    ]);
    const references = fakeReferences({ referenced: new Set([sha(1)]) });
    const result = await sweepStorage(store, references, options);
    expect(result).toMatchObject({ archives: 4, candidates: 2, collected: 2, bytesFreed: 600, busy: 0, referencedMeanwhile: 0 });
    expect(store.names()).toEqual([sha(1), sha(3)]);
    expect(result.storeBytes).toBe(400);
  });

  it("leaves an archive whose lock a download holds, and one referenced again before its lock was taken", async () => {
    const store = fakeStore([
      { sha256: sha(1), size: 10, storedAt: hoursAgo(2) },
      { sha256: sha(2), size: 20, storedAt: hoursAgo(2) },
      { sha256: sha(3), size: 30, storedAt: hoursAgo(2) },
    ]);
    const referenced = new Set<string>();
    const references = fakeReferences({ referenced, locked: new Set([sha(1)]) });
    // A version that starts to reference sha(2) between the first look and the lock.
    const unreferenced = references.unreferenced;
    references.unreferenced = async (candidates) => {
      const found = await unreferenced(candidates);
      referenced.add(sha(2));
      return found;
    };
    const result = await sweepStorage(store, references, options);
    expect(result).toMatchObject({ candidates: 3, collected: 1, bytesFreed: 30, busy: 1, referencedMeanwhile: 1 });
    expect(store.names()).toEqual([sha(1), sha(2)]);
  });

  it("deletes each archive once when two scheduler copies sweep at the same moment", async () => {
    const archives = Array.from({ length: 50 }, (_, i) => ({ sha256: sha(i), size: 1_000, storedAt: hoursAgo(3) }));
    const store = fakeStore(archives);
    const references = fakeReferences({ referenced: new Set(archives.slice(0, 10).map((a) => a.sha256)) });
    const [a, b] = await Promise.all([sweepStorage(store, references, options), sweepStorage(store, references, options)]);
    expect(store.deletes).toBe(40);
    expect(a.collected + b.collected).toBe(40);
    expect(a.bytesFreed + b.bytesFreed).toBe(40_000);
    expect(store.names()).toHaveLength(10);
  });

  it("purges tombstones past their retention and reports them in the metrics", async () => {
    const store = fakeStore([{ sha256: sha(9), size: 5, storedAt: hoursAgo(2) }]);
    const references = fakeReferences({ referenced: new Set(), tombstones: [1, 29, 31, 400] });
    const result = await sweepStorage(store, references, options);
    expect(references.purgedWith).toEqual([30]);
    expect(result.tombstonesPurged).toBe(2);

    const registry = new Registry();
    storageSweepMetrics(registry).record(result);
    const text = await registry.metrics();
    expect(text).toContain("charthouse_archives_collected_total 1");
    expect(text).toContain("charthouse_archive_bytes_collected_total 5");
    expect(text).toContain("charthouse_tombstones_purged_total 2");
    expect(text).toContain("charthouse_archive_store_objects 0");
    expect(text).toContain("charthouse_archive_store_bytes 0");
  });
});

describe("startStorageSweep()", () => {
  it("sweeps every interval, records each sweep in the metrics and the log, and goes on after a failed sweep", async () => {
    const store = fakeStore([{ sha256: sha(1), size: 7, storedAt: hoursAgo(2) }]);
    const references = fakeReferences({ referenced: new Set() });
    let failures = 1;
    const purgeTombstones = references.purgeTombstones;
    references.purgeTombstones = async (days) => {
      if (failures-- > 0) throw new Error("Postgres is unavailable");
      return await purgeTombstones(days);
    };
    const lines: { level: string; fields: Record<string, unknown>; msg: string | undefined }[] = [];
    const recorded: StorageSweepResult[] = [];
    const sweep = startStorageSweep(store, references, {
      ...options,
      intervalMs: 5,
      log: {
        info: (fields: Record<string, unknown>, msg?: string) => lines.push({ level: "info", fields, msg }),
        error: (fields: Record<string, unknown>, msg?: string) => lines.push({ level: "error", fields, msg }),
      },
      metrics: { record: (result) => recorded.push(result) },
    });
    await waitFor(() => recorded.length >= 2, { what: "two sweeps", timeoutMs: 5_000, intervalMs: 5 });
    await sweep.stop();
    expect(lines[0]).toMatchObject({ level: "error", msg: "Storage sweep failed; trying again next interval" });
    expect(lines[0]?.fields["err"]).toBeInstanceOf(Error);
    // The failed sweep deleted the archive before it failed; the next one finds it gone.
    expect(recorded[0]).toMatchObject({ archives: 0, collected: 0 });
    expect(lines[1]).toMatchObject({ level: "info", msg: "Storage sweep done", fields: { archives: 0, ms: expect.any(Number) as unknown } });
    expect(store.names()).toEqual([]);
  });

  it("waits one interval before the first sweep, and stops without waiting for the next", async () => {
    const store = fakeStore([]);
    let listed = 0;
    store.list = async () => {
      listed++;
      return [];
    };
    const silent = { info: () => undefined, error: () => undefined };
    const sweep = startStorageSweep(store, fakeReferences({ referenced: new Set() }), { ...options, intervalMs: 60_000, log: silent });
    const started = Date.now();
    await sweep.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(listed).toBe(0);
  });
});
