import { CharthouseError, TimeoutError, UnauthorizedError, UnavailableError, UpstreamError } from "@charthouse/errors";
import { registryText } from "@charthouse/outbound-http";

/** What a sign-in failure is about, for its message. */
export interface SignInFailure {
  /** The provider, as users know it: "Amazon ECR", "Google", "Microsoft Entra ID", "Azure ACR". */
  provider: string;
  /** What was refused or attempted: `access key AKIA... of credential 7d1f...`. */
  what: string;
  /** Secret values of the credential, blanked out of anything the provider said. */
  secrets: readonly string[];
}

const timeoutCodes = new Set(["ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ESOCKETTIMEDOUT", "TimeoutError", "RequestTimeout", "ABORT_ERR"]);
const networkCodes = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPIPE|ECONNABORTED|UND_ERR_SOCKET|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_|ERR_SSL_|EPROTO)/;

/** The provider refused the credential (wrong key, secret or account): final, `credential_rejected`. */
export function credentialRejected(failure: SignInFailure, detail: string, cause: unknown): CharthouseError {
  return new UnauthorizedError(`${failure.provider} refused ${failure.what}: ${clean(detail, failure)}`, {
    code: "credential_rejected",
    cause: safeCause(cause, failure),
    solution: "Check the credential's keys and the account's permissions, or recreate the credential",
  });
}

/** The provider answered with a server error or throttled: transient, retried with backoff. */
export function providerUnavailable(failure: SignInFailure, status: number, detail: string, cause: unknown): CharthouseError {
  return new UpstreamError(status === 429 ? "rate_limited" : "registry_error", `${failure.provider} failed to sign in ${failure.what} (${status}): ${clean(detail, failure)}`, {
    status,
    cause: safeCause(cause, failure),
  });
}

/**
 * A failure that is not an answer from the provider: timeouts become `timeout`, network and TLS
 * failures `connection_failed` (both transient); anything else is reported as it is, transient.
 */
export function signInTransportError(failure: SignInFailure, endpoint: string, err: unknown): CharthouseError {
  // registryRequest (under the ACR exchange, or google-auth-library's fetch) already said what
  // went wrong and whether to retry; keep its code and add who was signing in.
  const mapped = charthouseCause(err);
  if (mapped !== undefined) {
    const message = `Signing in ${failure.what} at ${failure.provider} failed: ${mapped.message}`;
    if (mapped.code === "timeout") return new TimeoutError(message, { cause: mapped });
    if (mapped.code === "connection_failed" || mapped.code === "forbidden_destination") {
      return new UnavailableError(message, { code: mapped.code, cause: mapped, solution: mapped.solution });
    }
    return mapped;
  }
  const code = errorCode(err);
  const detail = clean(messageOf(err), failure);
  if (code !== undefined && timeoutCodes.has(code)) {
    return new TimeoutError(`Signing in ${failure.what} at ${failure.provider} (${endpoint}) timed out`, { cause: safeCause(err, failure) });
  }
  const why = code !== undefined && networkCodes.test(code) ? `${detail} (${code})` : detail;
  return new UnavailableError(`Signing in ${failure.what} at ${failure.provider} (${endpoint}) failed: ${why}`, {
    code: "connection_failed",
    cause: safeCause(err, failure),
    solution: `Check that Charthouse can reach ${endpoint} (DNS, firewall, proxy, TLS)`,
  });
}

/** The first string `code` (or timeout-like `name`) along an error's cause chain. */
export function errorCode(err: unknown, depth = 0): string | undefined {
  if (depth > 6 || typeof err !== "object" || err === null) return undefined;
  const { code, name } = err as { code?: unknown; name?: unknown };
  if (typeof code === "string" && code !== "" && code !== "ERR_INVALID_ARG_TYPE") return code;
  if (name === "TimeoutError" || name === "AbortError") return name === "AbortError" ? "ABORT_ERR" : name;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const found = errorCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return errorCode((err as { cause?: unknown }).cause, depth + 1);
}

/** The first Charthouse error along an error's cause chain (a provider library may wrap it). */
function charthouseCause(err: unknown, depth = 0): CharthouseError | undefined {
  if (depth > 6 || typeof err !== "object" || err === null) return undefined;
  if (err instanceof CharthouseError) return err;
  return charthouseCause((err as { cause?: unknown }).cause, depth + 1);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A plain Error standing in for a provider's error: SDK errors carry the request they failed
 * (signed assertions, form bodies) in enumerable fields a logger would print.
 */
function safeCause(err: unknown, failure: SignInFailure): Error {
  const code = errorCode(err);
  const name = err instanceof Error ? err.name : "Error";
  return Object.assign(new Error(`${name}: ${clean(messageOf(err), failure)}`), code === undefined ? {} : { code });
}

/** One line, at most 300 characters, with every secret value blanked. */
function clean(text: string, failure: SignInFailure): string {
  let result = text;
  for (const secret of failure.secrets) {
    if (secret.length >= 4) result = result.split(secret).join("***");
  }
  return registryText(result, 300);
}
