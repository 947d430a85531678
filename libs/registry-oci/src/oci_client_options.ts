import type { RegistryLogins } from "@charthouse/credentials";
import type { HostBreakers } from "@charthouse/outbound-http";

/** Size caps of the OCI client; each names its setting in a `too_large` error. */
export interface OciClientLimits {
  /** Largest manifest, in bytes (CHARTHOUSE_OCI_MAX_MANIFEST_BYTES). Default 4 MiB, distribution's own limit. */
  maxManifestBytes?: number;
  /** Largest config blob (Chart.yaml as JSON), in bytes (CHARTHOUSE_OCI_MAX_CONFIG_BYTES). Default 1 MiB. */
  maxConfigBytes?: number;
  /** Most tags of one repository (CHARTHOUSE_OCI_MAX_TAGS). Default 100 000. */
  maxTags?: number;
  /** Most repositories one listing returns (CHARTHOUSE_OCI_MAX_REPOSITORIES). Default 10 000. */
  maxRepositories?: number;
}

/** Options of createOciClient(). */
export interface OciClientOptions {
  /** The service's registry access (the shape of RegistryAccess in @charthouse/service-runtime). */
  access: {
    breakers: HostBreakers;
    logins: RegistryLogins;
    request: { timeoutMs: number; bodyTimeoutMs: number; deadlineMs?: number | undefined; blockPrivateNetworks: boolean };
  };
  limits?: OciClientLimits;
  /** Cancels every request and rate-limit wait of the client (shutdown). */
  signal?: AbortSignal;
  /** Docker Hub's web API, for listing a namespace's repositories. Default https://hub.docker.com. */
  dockerHubApiBase?: string;
  /** How long a request waits for a rate-limited host before failing with `rate_limited`, in ms. Default 30 000. */
  maxRateLimitWaitMs?: number;
}
