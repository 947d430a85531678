import { CharthouseError } from "@charthouse/errors";
import { defaultGoogleTokenUri, type CloudCredential, type RegistryLogin } from "@charthouse/credentials";
import type { CloudSignInOptions } from "./cloud_sign_in_options.ts";
import { registryFetch } from "./registry_fetch.ts";
import { credentialRejected, providerUnavailable, signInTransportError, type SignInFailure } from "./sign_in_error.ts";

type GcpCredential = Extract<CloudCredential, { kind: "gcp_service_account" }>;

/** The scope Artifact Registry (and Container Registry) accept for pulls. */
export const googleCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";

// OAuth2 errors (RFC 6749 5.2) that mean the key, the account or its grant is refused.
const rejectedOAuthErrors = new Set(["invalid_grant", "invalid_client", "unauthorized_client", "access_denied", "invalid_scope"]);

/**
 * Signs in to Google Artifact Registry: google-auth-library signs the service account's JWT
 * assertion (RS256) and exchanges it at the token endpoint for an access token, which registries
 * take as the password of user `oauth2accesstoken`.
 */
export async function signInToGoogle(credential: GcpCredential, _registryUrl: string, options: CloudSignInOptions): Promise<RegistryLogin> {
  const keyFile = credential.secret.service_account_json;
  const failure: SignInFailure = {
    provider: "Google",
    what: `service account ${keyFile.client_email} of credential ${credential.id}`,
    secrets: [keyFile.private_key],
  };
  // Loaded on first use: services that never meet a service account never load the library.
  const { JWT } = await import("google-auth-library");
  const client = new JWT({
    email: keyFile.client_email,
    key: keyFile.private_key,
    ...(keyFile.private_key_id === undefined ? {} : { keyId: keyFile.private_key_id }),
    scopes: [googleCloudPlatformScope],
    // The key file chooses where the signed assertion goes: only to an address the destination
    // policy allows (never link-local or metadata; not private ones when they are blocked).
    transporterOptions: {
      timeout: options.timeoutMs,
      fetchImplementation: registryFetch({ timeoutMs: options.timeoutMs, blockPrivateNetworks: options.blockPrivateNetworks, maxBytes: 64 * 1024 }),
    },
  });
  // google-auth-library posts to Google's endpoint whatever the key file says; send it to the key
  // file's token_uri instead (Private Service Connect, emulators), keeping the library's signing.
  // The assertion's audience stays Google's endpoint, which is what Google requires of it.
  const tokenUri = keyFile.token_uri;
  if (tokenUri !== defaultGoogleTokenUri) {
    client.transporter.interceptors.request.add({
      resolved: async (request) => {
        if (String(request.url) === defaultGoogleTokenUri) request.url = new URL(tokenUri);
        return request;
      },
    });
  }
  let tokens: { access_token?: string | null; expiry_date?: number | null };
  try {
    tokens = await client.authorize();
  } catch (err) {
    throw mapGoogleError(err, failure, tokenUri);
  }
  if (typeof tokens.access_token !== "string" || tokens.access_token === "") {
    throw new CharthouseError("registry_error", `Google answered the token request of credential ${credential.id} without an access token`);
  }
  return {
    type: "basic",
    username: "oauth2accesstoken",
    password: tokens.access_token,
    expiresAt: typeof tokens.expiry_date === "number" ? tokens.expiry_date : null,
  };
}

function mapGoogleError(err: unknown, failure: SignInFailure, tokenUri: string): CharthouseError {
  const response = (err as { response?: { status?: unknown; data?: unknown } }).response;
  const status = typeof response?.status === "number" ? response.status : undefined;
  if (status === undefined) return signInTransportError(failure, tokenUri, err);
  const data = response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const oauthError = typeof data?.error === "string" ? data.error : undefined;
  const description = typeof data?.error_description === "string" ? `: ${data.error_description}` : "";
  const detail = oauthError === undefined ? `HTTP ${status}` : `${oauthError}${description}`;
  if (status >= 500 || status === 429) return providerUnavailable(failure, status, detail, err);
  if ((oauthError !== undefined && rejectedOAuthErrors.has(oauthError)) || status === 400 || status === 401 || status === 403) {
    return credentialRejected(failure, detail, err);
  }
  return providerUnavailable(failure, status, detail, err);
}
