/** Postgres: migrations, and the repositories every service shares. */
export { ensureSchema, migrations, waitForSchema } from "./schema.ts";
export { createSqlClient, pingDatabase, type SqlClient } from "./sql_client.ts";
export type { ChartVersionState, RegistryKind, SyncNote } from "./stored_types.ts";
export {
  SyncRunRepository,
  type RequestedSync,
} from "./sync_run_repository.ts";
export {
  ChartVersionRepository,
  type ExtractedMetadata,
  type VersionWork,
} from "./chart_version_repository.ts";
export { OciRepositoryStateRepository, type OciRepositoryState } from "./oci_repository_state_repository.ts";
export { archiveStoreLockKey, lockBusy, withSharedLocks, withTryLock } from "./advisory_lock.ts";
export { ArchiveReferences, type ArchiveCollection } from "./archive_references.ts";
export { purgeVersionTombstones } from "./version_tombstones.ts";
export { pruneSyncRuns, syncRunPruneLockKey, type SyncRunPruning, type SyncRunRetention } from "./sync_run_pruning.ts";
export type { KeysetPosition, KeysetSlice } from "./keyset_slice.ts";
export { OrganizationRepository, type CreatedOrganizationIds, type HashedToken, type OrganizationRow } from "./organization_repository.ts";
export { ApiTokenRepository, type ApiTokenRow, type UsableTokenRow } from "./api_token_repository.ts";
export {
  CredentialRepository,
  type CredentialChange,
  type CredentialRow,
  type NewCredential,
  type SealedCredentialSecretRow,
} from "./credential_repository.ts";
export { SealedSecretTable, type SealedSecretRow, type SealedSecretTableName, type SecretReplacement, type StoredSecret } from "./sealed_secret_table.ts";
export { RegistryRepository, type NewRegistry, type RegistryChange, type RegistryStatusRow } from "./registry_repository.ts";
export {
  ChartCatalogReads,
  type ChartFilter,
  type ChartRef,
  type ChartRow,
  type ChartVersionDetailRow,
  type ChartVersionRow,
  type VersionFile,
  type VersionRef,
} from "./chart_catalog_reads.ts";
export { SyncRunReads, type SyncRunRow } from "./sync_run_reads.ts";
export {
  helmIndexCommitSlackSeconds,
  HelmIndexRepository,
  type BuiltHelmIndex,
  type HelmIndexEntryRow,
  type HelmIndexEntryPages,
  type HelmIndexState,
  type StoredHelmIndexBytes,
} from "./helm_index_repository.ts";
export { DeadLetterTargetReads, type ReplayVersionRow } from "./dead_letter_target_reads.ts";
export { DomainGaugeReads, type ChartVersionStateCount, type RegistryStateCount } from "./domain_gauge_reads.ts";
export type { SealedCredential } from "./sealed_credential.ts";
export { VersionMetadataReads, type ComparableVersionRow, type StoredVersionMetadata } from "./version_metadata_reads.ts";
export { VersionReadyWrites, type MarkedReady } from "./version_ready_writes.ts";
export { SubscriptionRepository, type NewSubscription, type SubscriptionRow } from "./subscription_repository.ts";
export {
  WebhookDeliveryRepository,
  type ClaimedWebhookDelivery,
  type NewWebhookDelivery,
  type WebhookAttemptResult,
  type WebhookDeliveryRow,
} from "./webhook_delivery_repository.ts";
export { WebhookEventReads, type WebhookVersionFacts } from "./webhook_event_reads.ts";
export {
  ReceiverRepository,
  type NewReceiver,
  type ReceiverProof,
  type ReceiverRow,
  type ReceiverTarget,
} from "./receiver_repository.ts";
