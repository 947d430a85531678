import { CharthouseError } from "@charthouse/errors";
import type { CloudCredential, RegistryLogin } from "@charthouse/credentials";
import type { GetAuthorizationTokenCommandOutput } from "@aws-sdk/client-ecr";
import type { CloudSignInOptions } from "./cloud_sign_in_options.ts";
import { ecrRegionOf } from "./ecr_region.ts";
import { credentialRejected, providerUnavailable, signInTransportError, type SignInFailure } from "./sign_in_error.ts";

type AwsCredential = Extract<CloudCredential, { kind: "aws" }>;

// Errors of AWS's request authentication and of IAM: the key is unknown, the secret or session
// token is wrong or expired, or the key may not call GetAuthorizationToken.
const rejectedErrors = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignature",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredTokenException",
  "ExpiredToken",
  "AccessDeniedException",
  "MissingAuthenticationTokenException",
]);

/**
 * Signs in to Amazon ECR: GetAuthorizationToken (AWS SDK, SigV4 signed by it) with the access
 * key, whose token decodes to `AWS:password` and lasts 12 hours. The region is the credential's,
 * else the registry host's (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`).
 */
export async function signInToEcr(credential: AwsCredential, registryUrl: string, options: CloudSignInOptions): Promise<RegistryLogin> {
  const { secret } = credential;
  const host = new URL(registryUrl).host;
  const region = secret.region ?? ecrRegionOf(host);
  const failure: SignInFailure = {
    provider: "Amazon ECR",
    what: `access key ${secret.access_key_id} of credential ${credential.id}`,
    secrets: [secret.secret_access_key, ...(secret.session_token === undefined ? [] : [secret.session_token])],
  };
  if (region === undefined) {
    throw new CharthouseError("credential_rejected", `Cannot tell the AWS region of registry ${host} for credential ${credential.id}`, {
      solution: "Set region on the aws credential, or use the registry's ACCOUNT.dkr.ecr.REGION.amazonaws.com address",
    });
  }
  // Loaded on first use: services that never meet an aws credential never load the SDK.
  const { ECRClient, GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
  const client = new ECRClient({
    region,
    // Only this credential: never the SDK's default chain (environment, files, instance metadata).
    credentials: {
      accessKeyId: secret.access_key_id,
      secretAccessKey: secret.secret_access_key,
      ...(secret.session_token === undefined ? {} : { sessionToken: secret.session_token }),
    },
    ...(options.ecrEndpoint === undefined ? {} : { endpoint: options.ecrEndpoint }),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: options.timeoutMs, requestTimeout: options.timeoutMs },
  });
  const endpoint = options.ecrEndpoint ?? `ecr.${region}.amazonaws.com`;
  let output: GetAuthorizationTokenCommandOutput;
  try {
    output = await client.send(new GetAuthorizationTokenCommand({}));
  } catch (err) {
    throw mapEcrError(err, failure, endpoint);
  } finally {
    client.destroy();
  }
  const data = output.authorizationData?.[0];
  const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (data === undefined || colon < 1) {
    throw new CharthouseError("registry_error", `Amazon ECR answered GetAuthorizationToken for credential ${credential.id} without a usable token`);
  }
  return {
    type: "basic",
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    expiresAt: data.expiresAt?.getTime() ?? null,
  };
}

function mapEcrError(err: unknown, failure: SignInFailure, endpoint: string): CharthouseError {
  const name = err instanceof Error ? err.name : "";
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (rejectedErrors.has(name) || status === 401 || status === 403) {
    return credentialRejected(failure, `${message} (${name})`, err);
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return providerUnavailable(failure, status, `${message} (${name})`, err);
  }
  if (status !== undefined) return credentialRejected(failure, `${message} (${name}, ${status})`, err);
  return signInTransportError(failure, endpoint, err);
}
