// The package's second entry, `@charthouse/service-runtime/registry-access`: only the services that
// call registries import it, so the others never load @charthouse/cloud-signin and its SDKs.
import { cachedCloudSignIn, createCloudSignIn } from "@charthouse/cloud-signin";
import type { Logger } from "@charthouse/logging";
import { loginAuthorizationHeader, registryLogins, type CloudSignIn, type RegistryLogins, type SealedCredentialRow } from "@charthouse/credentials";
import { closeRegistryAgents, createHostBreakers, type HostBreakers } from "@charthouse/outbound-http";
import { Gauge, type Registry } from "prom-client";

/** The settings of registryAccessSettings() in @charthouse/config, plus the credential key. */
export interface RegistryAccessSettings {
  CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: boolean;
  CHARTHOUSE_REQUEST_TIMEOUT_MS: number;
  CHARTHOUSE_BODY_TIMEOUT_MS: number;
  /** Total time of one read, body included; absent in older callers, then 300 000. */
  CHARTHOUSE_READ_DEADLINE_MS?: number | undefined;
  CHARTHOUSE_CIRCUIT_RESET_MS: number;
  CHARTHOUSE_SECRET_KEY?: string | undefined;
  CHARTHOUSE_PREVIOUS_SECRET_KEYS?: string | undefined;
  CHARTHOUSE_AWS_ECR_ENDPOINT?: string | undefined;
  CHARTHOUSE_AZURE_AUTHORITY_HOST?: string | undefined;
  CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS?: number | undefined;
}

/** What a service that calls registries shares across its handlers. */
export interface RegistryAccess {
  /** One circuit breaker per registry host. */
  breakers: HostBreakers;
  /** Signs registries in with their sealed credentials (cloud kinds through a token exchange). */
  logins: RegistryLogins;
  /** The Authorization header for a registry's credential (or none), for HTTP chart repositories. */
  authorize(credential: SealedCredentialRow | null, registryUrl: string): Promise<string | undefined>;
  /** Time and destination limits of every request. */
  request: { timeoutMs: number; bodyTimeoutMs: number; deadlineMs: number; blockPrivateNetworks: boolean };
  /** Calls `listener` with a host's origin whenever its circuit closes after an outage. */
  onCircuitClosed(listener: (origin: string) => void): void;
  /** Stops the breakers' timer and closes the registry connection pools (graceful shutdown). */
  close(): Promise<void>;
}

/**
 * Builds the registry access of a service from its validated settings. Cloud credentials sign in
 * through @charthouse/cloud-signin with a token cache shared by the service's handlers, unless
 * `cloudSignIn` replaces it (tests).
 */
export function registryAccess(
  settings: RegistryAccessSettings,
  options: { cloudSignIn?: CloudSignIn; log?: Logger; metrics?: Registry } = {},
): RegistryAccess {
  const closedListeners: ((origin: string) => void)[] = [];
  const openBreakers = options.metrics === undefined ? undefined : openBreakerGauge(options.metrics);
  const breakers = createHostBreakers({
    resetMs: settings.CHARTHOUSE_CIRCUIT_RESET_MS,
    onStateChange(change) {
      openBreakers?.(change.origin, change.state === "open");
      if (change.state === "open") {
        const failure = change.lastFailure === undefined ? {} : { code: change.lastFailure.code, error: change.lastFailure.message };
        options.log?.warn({ host: change.origin, pausedMs: settings.CHARTHOUSE_CIRCUIT_RESET_MS, ...failure }, "Registry host keeps failing; calls to it paused");
      } else {
        options.log?.info({ host: change.origin }, "Registry host answers again; calls to it resumed");
        for (const listener of closedListeners) listener(change.origin);
      }
    },
  });
  const cloudSignIn =
    options.cloudSignIn ??
    cachedCloudSignIn(
      createCloudSignIn({
        ecrEndpoint: settings.CHARTHOUSE_AWS_ECR_ENDPOINT,
        azureAuthorityHost: settings.CHARTHOUSE_AZURE_AUTHORITY_HOST,
        timeoutMs: settings.CHARTHOUSE_REQUEST_TIMEOUT_MS,
        blockPrivateNetworks: settings.CHARTHOUSE_BLOCK_PRIVATE_NETWORKS,
      }),
      { marginMs: settings.CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS ?? 300_000 },
    );
  const logins = registryLogins({
    secretKey: settings.CHARTHOUSE_SECRET_KEY,
    previousSecretKeys: settings.CHARTHOUSE_PREVIOUS_SECRET_KEYS,
    cloudSignIn,
  });
  return {
    breakers,
    logins,
    async authorize(credential, registryUrl) {
      const login = await logins.login(credential, registryUrl);
      return login === null ? undefined : loginAuthorizationHeader(login);
    },
    request: {
      timeoutMs: settings.CHARTHOUSE_REQUEST_TIMEOUT_MS,
      bodyTimeoutMs: settings.CHARTHOUSE_BODY_TIMEOUT_MS,
      deadlineMs: settings.CHARTHOUSE_READ_DEADLINE_MS ?? 300_000,
      blockPrivateNetworks: settings.CHARTHOUSE_BLOCK_PRIVATE_NETWORKS,
    },
    onCircuitClosed(listener) {
      closedListeners.push(listener);
    },
    async close() {
      breakers.close();
      await closeRegistryAgents();
    },
  };
}

/**
 * charthouse_circuit_breakers_open{host}: 1 for each registry host whose circuit is open now,
 * removed when it closes. `host` (host[:port]) is bounded by the registries configured.
 */
function openBreakerGauge(registry: Registry): (origin: string, open: boolean) => void {
  const gauge = new Gauge({
    name: "charthouse_circuit_breakers_open",
    help: "Registry hosts whose circuit breaker is open (calls to them paused), by host",
    labelNames: ["host"],
    registers: [registry],
  });
  return (origin, open) => {
    const host = hostOf(origin);
    if (open) gauge.set({ host }, 1);
    else gauge.remove({ host });
  };
}

// The host[:port] of an origin: no scheme, never a path or credentials.
function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
