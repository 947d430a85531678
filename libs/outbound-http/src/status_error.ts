import { type CharthouseError, NotFoundError, UnauthorizedError, UpstreamError } from "@charthouse/errors";
import { registryText } from "./registry_text.ts";
import { retryAfterFromHeaders } from "./retry_after.ts";

/** What the error mapping needs to know about the request that got a bad status. */
export interface FailedResponse {
  method: string;
  /** The URL for messages, already without credentials or query values (see displayUrl). */
  displayUrl: string;
  status: number;
  /** Lowercased response headers. */
  headers: Readonly<Record<string, string>>;
  /** The start of the response body, as text (read under a small cap). */
  bodyText: string;
  /** Whether this request carried an Authorization header. */
  authSent: boolean;
}

/** Maps a registry's unwanted status to the Charthouse error the rest of the system acts on. */
export function errorForStatus(response: FailedResponse, now: number = Date.now()): CharthouseError {
  const { status, method, displayUrl, authSent } = response;
  const what = `${method} ${displayUrl}`;
  const said = registryText(response.bodyText);
  const cause = said === "" ? undefined : `Registry said: ${said}`;
  const withCause = cause === undefined ? {} : { cause };
  if (status === 401 || status === 403) {
    return authSent
      ? new UnauthorizedError(`${what} was refused (${status}): the registry rejected the credential`, {
          code: "credential_rejected",
          ...withCause,
        })
      : new UnauthorizedError(`${what} was refused (${status}): the registry requires a credential`, {
          code: "unauthorized",
          ...withCause,
        });
  }
  if (status === 404 || status === 410) {
    return new NotFoundError(`${what} was not found (${status})`, { code: "not_found", ...withCause });
  }
  if (status === 429) {
    const retryAfterMs = retryAfterFromHeaders(response.headers, now);
    const wait = retryAfterMs === undefined ? "" : `; it asks to retry in ${Math.ceil(retryAfterMs / 1000)} s`;
    return new UpstreamError("rate_limited", `${what} was rate limited (429)${wait}`, { status, retryAfterMs, ...withCause });
  }
  if (status >= 500) {
    const retryAfterMs = retryAfterFromHeaders(response.headers, now);
    return new UpstreamError("registry_error", `${what} failed with a registry error (${status})`, {
      status,
      retryAfterMs,
      ...withCause,
    });
  }
  if (status >= 300 && status < 400) {
    return new UpstreamError("registry_error", `${what} answered a redirect (${status}) that was not followed`, {
      status,
      ...withCause,
    });
  }
  return new UpstreamError("registry_error", `${what} failed with an unexpected status (${status})`, { status, ...withCause });
}
