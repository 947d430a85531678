/**
 * Every request Charthouse sends to a registry: size-, time- and destination-limited, with
 * credentials kept to their origin, errors mapped in one place, and per-host circuit breakers.
 */
export { registryRequest, type RegistryBodyRequestOptions, type RegistryResponse } from "./registry_request.ts";
export {
  registryStream,
  type RegistryRequestOptions,
  type RegistryResponseHead,
  type RegistryStreamResponse,
} from "./registry_stream.ts";
export { closeRegistryAgents } from "./registry_agents.ts";
export { parseRetryAfter, retryAfterFromHeaders } from "./retry_after.ts";
export { displayUrl } from "./display_url.ts";
export { registryText } from "./registry_text.ts";
export {
  createHostBreakers,
  HostCircuitOpenError,
  type HostBreakerOptions,
  type HostBreakers,
  type HostCircuitState,
} from "./host_circuit_breakers.ts";
export { assertAllowedHost, resolveAllowedAddresses, type DestinationPolicy } from "./destination_guard.ts";
