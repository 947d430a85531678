/** Postgres: entity schemas, migrations, and the repositories every service shares. */
export { openDatabase, sqlClientOf } from "./data_source.ts";
export { ensureSchema, migrations, waitForSchema } from "./schema.ts";
export { createSqlClient, type SqlClient } from "./sql_client.ts";
export * from "./entities/mod.ts";
export {
  SyncRunRepository,
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
  type StoredOciVersion,
  type StoredVersion,
  type VersionChanges,
  type VersionWork,
} from "./chart_version_repository.ts";
export { OciRepositoryStateRepository, type OciRepositoryState } from "./oci_repository_state_repository.ts";
export { diffVersions, diffSlices, isEmptyDiff } from "./version_diff.ts";
export { queryRows } from "./query_rows.ts";
export { lockBusy, withTryLock } from "./advisory_lock.ts";
export type { DataSource, EntityManager } from "typeorm";
export type { SealedCredential } from "./sealed_credential.ts";
