/** Real peers for tests and benchmarks: helm CLI, nginx, nats-server, PostgreSQL, docker-registry and its token server, Docker Hub and Harbor listing stand-ins. */
export {
  type DockerRegistry,
  type DockerRegistryTokenAuth,
  type StartDockerRegistryOptions,
  startDockerRegistry,
} from "./docker_registry.ts";
export {
  type DockerHubListingServer,
  type DockerHubRepositoryFixture,
  type StartDockerHubListingServerOptions,
  startDockerHubListingServer,
} from "./docker_hub_listing_server.ts";
export {
  type HarborApiServer,
  type HarborProjectFixture,
  type StartHarborApiServerOptions,
  startHarborApiServer,
} from "./harbor_api_server.ts";
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
export { type PostgresServer, type PostgresShutdownMode, type StartPostgresServerOptions, startPostgresServer } from "./postgres_server.ts";
export {
  type FlakyOutcome,
  type FlakyProxy,
  type FlakyProxyOptions,
  type FlakyRequest,
  type FlakyShares,
  startFlakyProxy,
} from "./flaky_proxy.ts";
export { type AccessLogLine, parseAccessLog } from "./nginx_access_log.ts";
export { type NginxServer, type StartNginxOptions, startNginx } from "./nginx_server.ts";
export { helmEnvironment, makeHelmHome, type RunHelmOptions, runHelm } from "./run_helm.ts";
export { type PushChartOptions, type PushedChart, pushChart } from "./push_chart.ts";
export { type StallingServer, type StallMode, startStallingServer } from "./stalling_server.ts";
export { tcpAccepts } from "./tcp_probe.ts";
export {
  type StartTokenServerOptions,
  type TokenAccess,
  type TokenRequestRecord,
  type TokenServer,
  type TokenServerBehaviour,
  startTokenServer,
} from "./token_server.ts";
export { makeTempDir, removeTempDir } from "./temp_dir.ts";
export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  defaultDatabaseUrl,
  type TestDatabase,
  uniqueDatabaseName,
} from "./test_database.ts";
export { type WaitForOptions, waitFor } from "./wait_for.ts";
export { metricSample } from "./metric_sample.ts";
export { rejectionOf } from "./rejection_of.ts";
export { createLimitedRole, type CreateLimitedRoleOptions, type LimitedRole } from "./limited_role.ts";
export { type InterceptedAnswer, type ProxiedRequest, type RecordingProxy, type RecordingProxyOptions, startRecordingProxy } from "./recording_proxy.ts";
export { type LocalHandler, type LocalHttp, sendJson, startLocalHttp } from "./local_http.ts";
export {
  type FakeAwsKey,
  type FakeEcrExchange,
  type FakeEcrServer,
  type StartFakeEcrServerOptions,
  startFakeEcrServer,
} from "./fake_ecr_server.ts";
export {
  type FakeGoogleExchange,
  type FakeGoogleTokenServer,
  type FakeServiceAccount,
  type StartFakeGoogleTokenServerOptions,
  startFakeGoogleTokenServer,
} from "./fake_google_token_server.ts";
export { type SelfSignedCertificate, selfSignedCertificate } from "./self_signed_certificate.ts";
export {
  type EntraIdToken,
  type FakeEntraIdServer,
  type FakeServicePrincipal,
  type StartFakeEntraIdServerOptions,
  startFakeEntraIdServer,
} from "./fake_entra_id_server.ts";
export {
  type AcrAccessTokenClaims,
  type FakeAcrAuthServer,
  type StartFakeAcrAuthServerOptions,
  startFakeAcrAuthServer,
} from "./fake_acr_auth_server.ts";
export { RecordingPublisher, type PublishedMessage } from "./recording_publisher.ts";
export {
  acrChartPush,
  acrPush,
  cloudEventImageUpdated,
  distributionBlobPush,
  distributionManifestPull,
  distributionManifestPush,
  dockerHubPush,
  githubRegistryPackagePublished,
  harborArtifactPush,
} from "./push_event_samples.ts";
