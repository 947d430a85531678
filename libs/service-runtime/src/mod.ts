/**
 * What every service shares at run time: connections, health, metrics, consumer wiring, shutdown.
 * Registry access is its own entry, `@charthouse/service-runtime/registry-access`, so that only the
 * services that call registries load cloud sign-in and its SDKs.
 */
export { startServiceHttp, type ReadinessCheck, type ServiceHttp } from "./service_http.ts";
export { runService, type StartedService } from "./run_service.ts";
export { runWorker, type WorkerSetup } from "./run_worker.ts";
export { loadServiceConfig } from "./service_config.ts";
export {
  openConnections,
  startHealthEndpoints,
  startWorkerService,
  type ServiceConnections,
  type WorkerSettings,
} from "./worker_service.ts";
export { startTracing, type Tracing } from "./tracing.ts";
export { recordSync, syncMetrics, type SyncOutcome, type SyncRecorder } from "./sync_metrics.ts";
export {
  versionFailureHandling,
  type VersionFailureDependencies,
  type VersionFailureHandling,
} from "./version_failure_handling.ts";
