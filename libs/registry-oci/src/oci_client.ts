import type { RegistryLogins, SealedCredentialRow } from "@charthouse/credentials";
import type { HostBreakers, RegistryStreamResponse } from "@charthouse/outbound-http";
import { createHostRateLimits, type HostRateLimits } from "./host_rate_limits.ts";
import type { OciChartManifest } from "./oci_manifest.ts";
import type { OciReference } from "./oci_reference.ts";
import { OciRegistrySession } from "./oci_session.ts";
import type { RegistryScheme } from "./registry_auth.ts";
import { TokenCache } from "./token_cache.ts";

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

/** Options of {@link createOciClient}. */
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

/** The OCI distribution client of a service: shared token cache, per-host rate-limit state. */
export interface OciClient {
  /** A session for one registry and its credential (null = anonymous); caches bearer tokens per scope. */
  session(reference: OciReference, credential: SealedCredentialRow | null): OciSession;
}

/** Options of {@link OciSession.manifest}. */
export interface OciManifestOptions {
  /** The tag came from the repository's tag list: a 404 is then `tag_not_found`, not `manifest_unknown`. */
  listed?: boolean;
}

/** Where a repository listing came from. */
export type OciListingSource = "catalog" | "docker_hub" | "harbor";

/** Requests to one registry with one credential. */
export interface OciSession {
  /** Every tag of a repository (Link paging followed, null tags = [], sorted). null when the repository does not exist (404). */
  listTags(repository: string): Promise<string[] | null>;
  /**
   * Chart repositories under a namespace path ("" = whole registry): Docker Hub's listing API,
   * Harbor's project repositories API, else /v2/_catalog filtered to the namespace. Throws
   * `listing_unavailable` when the registry offers no listing.
   */
  listRepositories(namespace: string): Promise<{ repositories: string[]; via: OciListingSource }>;
  /** GETs the manifest of a tag with the right Accept header and verifies its digest. */
  manifest(repository: string, tag: string, options?: OciManifestOptions): Promise<OciChartManifest>;
  /** HEADs the manifest: its digest (Docker-Content-Digest), for re-push detection; null on 404. */
  manifestDigest(repository: string, tag: string): Promise<string | null>;
  /** The chart's config blob (Chart.yaml as JSON), size-capped and digest-verified. */
  chartConfig(repository: string, configDigest: string): Promise<Record<string, unknown>>;
  /** Streams a blob (the chart layer), following redirects without credentials; the caller hashes and verifies. */
  openBlob(repository: string, digest: string, options: { maxBytes: number; limitSetting: string }): Promise<RegistryStreamResponse>;
  /** How many times this session's requests waited for a rate-limited host (record `rate_limited` when > 0). */
  readonly rateLimitWaits: number;
}

/** The state every session of one client shares. */
export interface OciClientShared {
  access: OciClientOptions["access"];
  limits: Required<OciClientLimits>;
  signal: AbortSignal | undefined;
  dockerHubApiBase: string;
  tokens: TokenCache;
  schemes: Map<string, RegistryScheme>;
  rateLimits: HostRateLimits;
  /** Whether an API base is a Harbor, once probed. */
  harbor: Map<string, boolean>;
}

/** Creates the OCI client of a service. */
export function createOciClient(options: OciClientOptions): OciClient {
  const shared: OciClientShared = {
    access: options.access,
    limits: {
      maxManifestBytes: options.limits?.maxManifestBytes ?? 4 * 1024 * 1024,
      maxConfigBytes: options.limits?.maxConfigBytes ?? 1024 * 1024,
      maxTags: options.limits?.maxTags ?? 100_000,
      maxRepositories: options.limits?.maxRepositories ?? 10_000,
    },
    signal: options.signal,
    dockerHubApiBase: (options.dockerHubApiBase ?? "https://hub.docker.com").replace(/\/+$/, ""),
    tokens: new TokenCache(),
    schemes: new Map(),
    rateLimits: createHostRateLimits({ ...(options.maxRateLimitWaitMs === undefined ? {} : { maxWaitMs: options.maxRateLimitWaitMs }) }),
    harbor: new Map(),
  };
  return {
    session(reference, credential) {
      return new OciRegistrySession(shared, reference, credential);
    },
  };
}
