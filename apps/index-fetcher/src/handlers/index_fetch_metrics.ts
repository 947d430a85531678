import { syncMetrics, type SyncRecorder } from "@charthouse/service-runtime";
import { Counter, type Registry } from "prom-client";

/** What an HTTP sync reports besides its outcome: index bytes read and 304 answers. */
export interface IndexFetchRecorder extends SyncRecorder {
  /** A 200 with an index of `bytes` (as decompressed). */
  indexFetched(bytes: number): void;
  /** The server answered 304 Not Modified. */
  indexNotModified(): void;
}

/**
 * The index-fetcher's domain metrics: charthouse_syncs_total and charthouse_sync_duration_seconds
 * with kind="http", charthouse_index_bytes_total and charthouse_index_not_modified_total.
 */
export function indexFetchMetrics(registry: Registry): IndexFetchRecorder {
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
  return {
    syncEnded: (outcome, seconds) => syncs.syncEnded(outcome, seconds),
    indexFetched: (n) => bytes.inc(n),
    indexNotModified: () => notModified.inc(),
  };
}
