/** Real peers for tests and benchmarks: helm CLI, nginx, nats-server, PostgreSQL, docker-registry. */
export { type DockerRegistry, type StartDockerRegistryOptions, startDockerRegistry } from "./docker_registry.ts";
export { freePort } from "./free_port.ts";
export {
  defaultHelmPath,
  helmBinary,
  helmMajorVersion,
  helmPackage,
  helmVersionOf,
  type InstallHelmOptions,
  installHelm,
} from "./helm_install.ts";
export { type BasicCredentials, htpasswdLine } from "./htpasswd.ts";
export { type MakeChartOptions, makeChart } from "./make_chart.ts";
export { type NatsServer, type StartNatsServerOptions, startNatsServer } from "./nats_server.ts";
export { type AccessLogLine, parseAccessLog } from "./nginx_access_log.ts";
export { type NginxServer, type StartNginxOptions, startNginx } from "./nginx_server.ts";
export { helmEnvironment, makeHelmHome, type RunHelmOptions, runHelm } from "./run_helm.ts";
export { type StallingServer, type StallMode, startStallingServer } from "./stalling_server.ts";
export { tcpAccepts } from "./tcp_probe.ts";
export { makeTempDir, removeTempDir } from "./temp_dir.ts";
export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  defaultDatabaseUrl,
  type TestDatabase,
  uniqueDatabaseName,
} from "./test_database.ts";
export { type WaitForOptions, waitFor } from "./wait_for.ts";
export { rejectionOf } from "./rejection_of.ts";
