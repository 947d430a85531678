/** What every service shares at run time: connections, health, metrics, consumer wiring, shutdown. */
export { startServiceHttp, type ReadinessCheck, type ServiceHttp } from "./service_http.ts";
export { runService, type StartedService } from "./run_service.ts";
export {
  openConnections,
  startHealthEndpoints,
  startWorkerService,
  type ServiceConnections,
  type WorkerSettings,
} from "./worker_service.ts";
export { registryAccess, type RegistryAccess, type RegistryAccessSettings } from "./registry_access.ts";
export { startTracing, type Tracing } from "./tracing.ts";
export { recordSync, syncMetrics, type SyncOutcome, type SyncRecorder } from "./sync_metrics.ts";
