/** Postgres: entity schemas, migrations, and the repositories every service shares. */
export { openDatabase, sqlClientOf } from "./data_source.ts";
export { ensureSchema, migrations, waitForSchema } from "./schema.ts";
export { createSqlClient, type SqlClient } from "./sql_client.ts";
export * from "./entities/mod.ts";
export {
  LEASE_RENEW_MS,
  SyncRunRepository,
  type LeaseAttempt,
  type LeasedSync,
  type RequestedSync,
  type SyncResult,
} from "./sync_run_repository.ts";
export {
  ChartVersionRepository,
  type ExtractedMetadata,
  type IndexedChart,
  type IndexedVersion,
  type PendingVersion,
  type ReopenedVersion,
  type StuckVersion,
  type StoredOciVersion,
  type StoredVersion,
  type VersionChanges,
  type VersionWork,
} from "./chart_version_repository.ts";
export { OciRepositoryStateRepository, type OciRepositoryState } from "./oci_repository_state_repository.ts";
export { diffVersions, diffSlices, isEmptyDiff } from "./version_diff.ts";
export { queryRows } from "./query_rows.ts";
export { archiveStoreLockKey, lockBusy, withSharedLocks, withTryLock } from "./advisory_lock.ts";
export { ArchiveReferences, type ArchiveCollection } from "./archive_references.ts";
export { purgeVersionTombstones } from "./version_tombstones.ts";
export type { DataSource, EntityManager } from "typeorm";
export type { SealedCredential } from "./sealed_credential.ts";
