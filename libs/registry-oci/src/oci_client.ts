import type { SealedCredentialRow } from "@charthouse/credentials";
import { createHostRateLimits } from "./host_rate_limits.ts";
import type { OciClientOptions } from "./oci_client_options.ts";
import type { OciClientShared } from "./oci_client_shared.ts";
import type { OciReference } from "./oci_reference.ts";
import { OciRegistrySession, type OciSession } from "./oci_session.ts";
import { TokenCache } from "./token_cache.ts";

/** The OCI distribution client of a service: shared token cache, per-host rate-limit state. */
export interface OciClient {
  /** A session for one registry and its credential (null = anonymous); caches bearer tokens per scope. */
  session(reference: OciReference, credential: SealedCredentialRow | null): OciSession;
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
