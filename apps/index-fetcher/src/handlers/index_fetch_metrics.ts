import type { Slots } from "@charthouse/concurrency";
import { syncMetrics, type SyncRecorder } from "@charthouse/service-runtime";
import { Counter, Gauge, type Registry } from "prom-client";

/** What an HTTP sync reports besides its outcome: index bytes read and 304 answers. */
export interface IndexFetchRecorder extends SyncRecorder {
  /** A 200 with an index of `bytes` (as decompressed). */
  indexFetched(bytes: number): void;
  /** The server answered 304 Not Modified. */
  indexNotModified(): void;
}

/**
 * The index-fetcher's domain metrics: charthouse_syncs_total and charthouse_sync_duration_seconds
 * with kind="http", charthouse_index_bytes_total, charthouse_index_not_modified_total, and the
 * full-sync slots in use and waited for (read on scrape): a copy whose changed indexes keep
 * waiting needs a higher CHARTHOUSE_FULL_SYNC_CONCURRENCY, or another copy.
 */
export function indexFetchMetrics(registry: Registry, fullSyncs: Pick<Slots, "held" | "waiting">): IndexFetchRecorder {
  const syncs = syncMetrics(registry, "http");
  const bytes = new Counter({
    name: "charthouse_index_bytes_total",
    help: "Bytes of index.yaml read from HTTP chart repositories (decompressed)",
    registers: [registry],
  });
  const notModified = new Counter({
    name: "charthouse_index_not_modified_total",
    help: "index.yaml requests answered 304 Not Modified",
    registers: [registry],
  });
  new Gauge({
    name: "charthouse_full_syncs_running",
    help: "Changed indexes this copy is reading, parsing and writing now (at most CHARTHOUSE_FULL_SYNC_CONCURRENCY)",
    registers: [registry],
    collect() {
      this.set(fullSyncs.held);
    },
  });
  new Gauge({
    name: "charthouse_full_syncs_waiting",
    help: "Changed indexes waiting for a full-sync slot, their bodies unread",
    registers: [registry],
    collect() {
      this.set(fullSyncs.waiting);
    },
  });
  return {
    syncEnded: (outcome, seconds) => syncs.syncEnded(outcome, seconds),
    indexFetched: (n) => bytes.inc(n),
    indexNotModified: () => notModified.inc(),
  };
}
