/**
 * The catalogue's domain: the version model and its key, the diff of what a registry publishes
 * against what is stored, Helm's version order, the sync run's lifecycle, and the batched writes,
 * download requests and events a sync makes. It defines the ports it reads, writes and publishes
 * through (VersionStore, SyncRunStore, MessagePublisher); adapters implement them.
 */
export type {
  ChartVersionState,
  IndexedChart,
  IndexedVersion,
  PendingVersion,
  ReopenedVersion,
  StoredOciVersion,
  StoredVersion,
  StuckVersion,
  VersionChangeSlice,
  VersionChanges,
} from "./version_model.ts";
export { versionKey } from "./version_key.ts";
export { diffSlices, diffVersions, isEmptyDiff } from "./version_diff.ts";
export { compareVersionsDesc } from "./version_order.ts";
export {
  helmArchivePath,
  helmChartEntries,
  helmIndexDocument,
  helmIndexEpoch,
  laterCreated,
  type HelmIndexDocument,
  type HelmIndexEntry,
  type HelmIndexSource,
} from "./helm_index_document.ts";
export { versionEvents, type VersionEventBatch, type VersionEventSubject } from "./version_events.ts";
export type { VersionStore } from "./version_store.ts";
export {
  LEASE_RENEW_MS,
  LEASE_SECONDS,
  type LeaseAttempt,
  type LeasedSync,
  type SyncedRegistryKind,
  type SyncNote,
  type SyncResult,
  type SyncRunStore,
} from "./sync_run.ts";
export {
  writeVersionChanges,
  type CatalogWriterDependencies,
  type VersionChangesToWrite,
  type WrittenVersionChanges,
} from "./write_version_changes.ts";
export { chartOfVersions, type ChartFactsOfVersion } from "./chart_of_versions.ts";
export { downloadRequestOf } from "./download_request.ts";
export { queueReopenedVersions } from "./queue_reopened_versions.ts";
export { retryableErrorCodes } from "./retryable_error_codes.ts";
export { finishSync, type StartedSync, type SyncRunDependencies } from "./sync_run_lifecycle.ts";
export {
  leasedSyncHandler,
  type LeasedSyncHandler,
  type LeasedSyncHandlerOptions,
  type SyncAttemptOutcome,
  type SyncDelivery,
} from "./leased_sync_handler.ts";
export {
  chartGlobPattern,
  isVersionRange,
  matchesSubscription,
  webhookEventTypes,
  type SubscriptionRule,
  type WatchedEvent,
  type WebhookEventType,
} from "./subscription_match.ts";
export { signWebhook, verifyWebhookSignature, webhookHeaders, webhookSecretBytes, type SignedWebhook } from "./webhook_signature.ts";
export {
  buildCloudEvent,
  testEventType,
  webhookBody,
  webhookDeliveryFor,
  webhookFormats,
  type WatchedEventDescription,
  type WebhookCloudEvent,
  type WebhookDeliveryDraft,
  type WebhookEventData,
  type WebhookFormat,
} from "./webhook_cloud_event.ts";
export { nextWebhookAttempt, webhookRetryWindowMs } from "./webhook_retry_schedule.ts";
export {
  interpretPushEvent,
  receiverKinds,
  type PushDecision,
  type PushEventInput,
  type PushScope,
  type ReceiverKind,
} from "./push_event.ts";
