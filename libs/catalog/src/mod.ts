/**
 * What both fetchers (HTTP index, OCI tags) share once they know what a registry holds: the
 * sync run's lifecycle, batched version writes with their download requests and events, and
 * chart facts from the newest version.
 */
export {
  writeVersionChanges,
  type CatalogWriterDependencies,
  type VersionChangesToWrite,
  type WrittenVersionChanges,
} from "./write_version_changes.ts";
export { chartOfVersions } from "./chart_of_versions.ts";
export { downloadRequestOf } from "./download_request.ts";
export { queueReopenedVersions } from "./queue_reopened_versions.ts";
export { retryableErrorCodes } from "./retryable_error_codes.ts";
export { finishSync, runLeasedSync, syncFailureHandling, type StartedSync, type SyncRunDependencies } from "./sync_run_lifecycle.ts";
