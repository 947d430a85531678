import type { HostRateLimits } from "./host_rate_limits.ts";
import type { OciClientLimits, OciClientOptions } from "./oci_client_options.ts";
import type { RegistryScheme } from "./registry_auth.ts";
import type { TokenCache } from "./token_cache.ts";

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
