import type { StoredError } from "@charthouse/errors";

/**
 * How long a fetcher holds a sync without renewing it before another copy may take it over. The
 * holder renews it every LEASE_RENEW_MS while it works, so a copy that died frees its sync within
 * this time, about when JetStream gives its message to another copy.
 */
export const LEASE_SECONDS = 30;

/** How often a running sync renews its lease. */
export const LEASE_RENEW_MS = 10_000;

/** The kinds of registries Charthouse syncs. */
export type SyncedRegistryKind = "http_registry" | "oci_registry";

/**
 * What a fetcher needs to run a sync it has leased. `Credential` is the registry's credential as
 * the store hands it out (sealed); the domain only passes it on.
 */
export interface LeasedSync<Credential = unknown> {
  syncRunId: string;
  attempts: number;
  registry: {
    id: string;
    organizationId: string;
    name: string;
    url: string;
    kind: SyncedRegistryKind;
    etag: string | null;
    lastModified: string | null;
    contentHash: string | null;
    credential: Credential | null;
  };
}

/** What came of asking for a sync's lease. */
export type LeaseAttempt<Credential = unknown> =
  | { kind: "leased"; sync: LeasedSync<Credential> }
  /** Another copy holds the lease and keeps renewing it: ask again after `retryAfterMs`. */
  | { kind: "held"; retryAfterMs: number }
  /** The run is finished or gone: nothing to do. */
  | { kind: "done" };

/** A note on a sync run: a code of the error table and what it was about. */
export interface SyncNote {
  code: string;
  message: string;
  /** How many times it happened in this sync. */
  count: number;
}

/** How a sync ended. */
export interface SyncResult {
  outcome: "updated" | "unchanged";
  httpStatus: number | null;
  bytes: number;
  chartsSeen: number | null;
  versionsAdded: number;
  versionsRemoved: number;
  etag: string | null;
  lastModified: string | null;
  contentHash: string | null;
  /** What the sync met that is not an error (OCI: artifacts skipped, rate limits waited out). */
  notes?: SyncNote[];
}

/** Where sync runs are leased and their outcomes recorded (Postgres in services, memory in tests). */
export interface SyncRunStore<Credential = unknown> {
  /** Takes the lease on a sync run for this delivery, or says who holds it or that it is done. */
  lease(syncRunId: string): Promise<LeaseAttempt<Credential>>;
  /** Extends the lease while the work goes on. */
  renewLease(syncRunId: string): Promise<void>;
  /** Records a successful sync on the run and its registry, and frees the registry. */
  finish(syncRunId: string, result: SyncResult): Promise<void>;
  /** Records a failed attempt that will be retried: the registry shows the error meanwhile. */
  recordRetry(syncRunId: string, error: StoredError): Promise<void>;
  /** Records a sync that failed for good; returns its registry, or null when the run was already finished. */
  fail(syncRunId: string, error: StoredError, httpStatus?: number | null): Promise<{ organizationId: string; registryId: string } | null>;
}
