import type { AccessToken } from "@azure/identity";
import type { CloudCredential, RegistryLogin } from "@charthouse/credentials";
import { CharthouseError } from "@charthouse/errors";
import { registryRequest, type RegistryResponse } from "@charthouse/outbound-http";
import type { CloudSignInOptions } from "./cloud_sign_in_options.ts";
import { credentialRejected, providerUnavailable, signInTransportError, type SignInFailure } from "./sign_in_error.ts";

type AzureCredential = Extract<CloudCredential, { kind: "azure_service_principal" }>;

/**
 * The Entra ID scope ACR's /oauth2/exchange takes by default: an Azure Resource Manager token,
 * what `az acr login` exchanges. Registries with ARM audience tokens disabled take
 * `https://containerregistry.azure.net/.default` instead (the azureScope option).
 */
export const azureResourceManagerScope = "https://management.azure.com/.default";

/**
 * Signs in to Azure ACR: an Entra ID token for the service principal (@azure/identity's
 * ClientSecretCredential), exchanged at the registry's `/oauth2/exchange` for an ACR refresh
 * token, which the OCI client trades for access tokens at the registry's `/oauth2/token`.
 */
export async function signInToAcr(credential: AzureCredential, registryUrl: string, options: CloudSignInOptions): Promise<RegistryLogin> {
  const { secret } = credential;
  const failure: SignInFailure = {
    provider: "Microsoft Entra ID",
    what: `service principal ${secret.client_id} (tenant ${secret.tenant_id}) of credential ${credential.id}`,
    secrets: [secret.client_secret],
  };
  const aadToken = await entraIdToken(credential, options, failure);
  const registry = new URL(registryUrl);
  const exchange = new URL("/oauth2/exchange", registry.origin);
  const acr: SignInFailure = { ...failure, provider: "Azure ACR", secrets: [secret.client_secret, aadToken.token] };
  let answer: RegistryResponse;
  try {
    // The registry's own origin (as every request to it): vetted destination, no redirect for a
    // POST, size and time limits. 5xx and 429 come back mapped (transient) by registryRequest.
    answer = await registryRequest(exchange, {
      method: "POST",
      form: { grant_type: "access_token", service: registry.host, tenant: secret.tenant_id, access_token: aadToken.token },
      headers: { accept: "application/json" },
      maxBytes: 64 * 1024,
      limitSetting: "the sign-in response limit",
      timeoutMs: options.timeoutMs,
      bodyTimeoutMs: options.timeoutMs,
      blockPrivateNetworks: options.blockPrivateNetworks,
      acceptStatuses: [200, 400, 401, 403, 404],
    });
  } catch (err) {
    throw signInTransportError(acr, exchange.origin, err);
  }
  const text = Buffer.from(answer.body ?? new Uint8Array()).toString("utf8");
  if (answer.status !== 200) {
    const detail = `${registry.host}/oauth2/exchange answered ${answer.status}: ${acrErrorMessage(text)}`;
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) throw credentialRejected(acr, detail, new Error(detail));
    if (answer.status === 404) {
      throw new CharthouseError("credential_rejected", `${registry.host} has no ACR token exchange (/oauth2/exchange answered 404): an azure_service_principal credential only signs in to Azure Container Registry`, {
        solution: "Use the registry's NAME.azurecr.io address, or a credential of another kind",
      });
    }
    throw providerUnavailable(acr, answer.status, detail, new Error(detail));
  }
  const refreshToken = refreshTokenOf(text);
  if (refreshToken === undefined) {
    throw new CharthouseError("registry_error", `${registry.host}/oauth2/exchange answered without a refresh_token for credential ${credential.id}`);
  }
  return { type: "refresh_token", refreshToken, expiresAt: jwtExpiry(refreshToken) ?? aadToken.expiresOnTimestamp };
}

async function entraIdToken(credential: AzureCredential, options: CloudSignInOptions, failure: SignInFailure): Promise<AccessToken> {
  const { secret } = credential;
  // Loaded on first use: services that never meet a service principal never load the library.
  const { ClientSecretCredential } = await import("@azure/identity");
  const authority = options.azureAuthorityHost;
  const client = new ClientSecretCredential(secret.tenant_id, secret.client_id, secret.client_secret, {
    // A configured authority is trusted as given: instance discovery would ask
    // login.microsoftonline.com about it, which a sovereign or private cloud cannot answer.
    ...(authority === undefined ? {} : { authorityHost: authority, disableInstanceDiscovery: true }),
    ...(options.azureAuthorityCa === undefined ? {} : { tlsOptions: { ca: options.azureAuthorityCa } }),
    retryOptions: { maxRetries: 1 },
  });
  const endpoint = authority ?? "https://login.microsoftonline.com";
  try {
    const token = await client.getToken(options.azureScope ?? azureResourceManagerScope, { requestOptions: { timeout: options.timeoutMs } });
    if (token === null) throw new Error("no token");
    return token;
  } catch (err) {
    throw mapIdentityError(err, failure, endpoint);
  }
}

/** The HTTP status and OAuth2 error of an @azure/identity error, when Entra ID answered. */
function mapIdentityError(err: unknown, failure: SignInFailure, endpoint: string): CharthouseError {
  const { statusCode, errorResponse } = err as { statusCode?: unknown; errorResponse?: { error?: unknown; errorDescription?: unknown } };
  const status = typeof statusCode === "number" ? statusCode : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const oauthError = typeof errorResponse?.error === "string" ? errorResponse.error : undefined;
  const description = typeof errorResponse?.errorDescription === "string" ? errorResponse.errorDescription : message;
  // Entra's own words start with an AADSTS code; the trace and correlation IDs after it are noise here.
  const aadsts = /AADSTS\d+: [^\r\n]*?(?= Trace ID:|$)/.exec(description)?.[0] ?? /AADSTS\d+: [^\r\n]*?(?= Trace ID:|$)/.exec(message)?.[0];
  const detail = aadsts ?? (oauthError === undefined ? message : `${oauthError}: ${description}`);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return credentialRejected(failure, detail, err);
  if (status !== undefined && (status >= 500 || status === 429)) return providerUnavailable(failure, status, detail, err);
  if (aadsts !== undefined || /invalid_client|unauthorized_client|invalid_request/.test(message)) return credentialRejected(failure, detail, err);
  return signInTransportError(failure, endpoint, err);
}

function acrErrorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = parsed.errors?.[0];
    if (first !== undefined) return `${String(first.code ?? "")} ${String(first.message ?? "")}`.trim();
  } catch {
    // Not ACR's JSON error: show the start of whatever it was.
  }
  return text.slice(0, 200);
}

function refreshTokenOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { refresh_token?: unknown };
    return typeof parsed.refresh_token === "string" && parsed.refresh_token !== "" ? parsed.refresh_token : undefined;
  } catch {
    return undefined;
  }
}

/** The `exp` of a JWT in ms, read without verifying it (the registry verifies its own token). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
