import { CharthouseError, TimeoutError, UnavailableError } from "@charthouse/errors";

/** Which phase of a request a transport failure happened in. */
export type RequestPhase = "headers" | "body";

const timeoutCodes = new Set(["UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"]);
const dnsCodes = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);
const resetCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "ECONNABORTED"]);
const unreachableCodes = new Set(["EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN"]);
const tlsCodes = /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_OSSL_)/;

/**
 * Maps a network or undici failure to a Charthouse error naming the URL and what to check:
 * timeouts to TimeoutError, DNS, refused, reset, unreachable and TLS to `connection_failed`.
 * Charthouse errors (a refused destination) keep their code, with the URL added.
 */
export function errorForTransportFailure(err: unknown, method: string, displayUrl: string, phase: RequestPhase): CharthouseError {
  const what = `${method} ${displayUrl}`;
  if (err instanceof UnavailableError && !err.message.includes(displayUrl)) {
    return new UnavailableError(`${what}: ${err.message}`, { code: err.code, cause: err, solution: err.solution });
  }
  if (err instanceof CharthouseError) return err;
  const code = findCode(err);
  if (code !== undefined && timeoutCodes.has(code)) {
    const which =
      code === "UND_ERR_CONNECT_TIMEOUT"
        ? "connecting"
        : code === "UND_ERR_BODY_TIMEOUT" || phase === "body"
          ? "the registry stalled while sending the body"
          : "waiting for the response headers";
    const message = code === "UND_ERR_BODY_TIMEOUT" || phase === "body" ? `${what} timed out: ${which}` : `${what} timed out ${which}`;
    return new TimeoutError(message, { cause: err });
  }
  if (code !== undefined && dnsCodes.has(code)) {
    return connectionFailed(`${what} failed: DNS lookup of the host failed (${code})`, "Check the host name in the URL and the DNS resolution of Charthouse's network", err);
  }
  if (code === "ECONNREFUSED") {
    return connectionFailed(`${what} failed: connection refused`, "Check that the registry is running and listening on the host and port in the URL", err);
  }
  if (code !== undefined && resetCodes.has(code)) {
    return connectionFailed(`${what} failed: the connection was reset ${phase === "body" ? "while reading the body" : "before a response"} (${code})`, "Check the registry's health and any proxy, load balancer or firewall between Charthouse and it", err);
  }
  if (code !== undefined && unreachableCodes.has(code)) {
    return connectionFailed(`${what} failed: the host is unreachable (${code})`, "Check the network route and firewall rules from Charthouse to the registry", err);
  }
  if (code !== undefined && tlsCodes.test(code)) {
    return connectionFailed(`${what} failed: TLS handshake failed (${code})`, "Check the registry's TLS certificate (expiry, host name, a CA Charthouse trusts) and that the URL's scheme and port are right", err);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return connectionFailed(`${what} failed: ${detail}`, "Check that the registry is reachable from Charthouse", err);
}

function connectionFailed(message: string, solution: string, cause: unknown): UnavailableError {
  return new UnavailableError(message, { code: "connection_failed", solution, cause });
}

/** The first error code along the cause chain (and inside AggregateErrors from Happy Eyeballs). */
function findCode(err: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof err !== "object" || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string" && code !== "UND_ERR" && code !== "ERR_INVALID_ARG_TYPE") return code;
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const found = findCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return findCode((err as { cause?: unknown }).cause, depth + 1);
}
