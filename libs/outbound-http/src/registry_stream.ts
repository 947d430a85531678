import type { Readable } from "node:stream";
import { request, type Dispatcher } from "undici";
import { InputError, TimeoutError, TooLargeError, UnavailableError, UpstreamError } from "@charthouse/errors";
import { assertAllowedHost } from "./destination_guard.ts";
import { displayUrl } from "./display_url.ts";
import { readErrorText } from "./error_text.ts";
import { decodableEncodings, limitedBody, releaseBody, type BodyReading } from "./limited_body.ts";
import { readDeadline } from "./read_deadline.ts";
import { registryAgent } from "./registry_agents.ts";
import { errorForStatus } from "./status_error.ts";
import { errorForTransportFailure } from "./transport_error.ts";

/** Options of every request Charthouse sends to a registry. */
export interface RegistryRequestOptions {
  /** GET (default), HEAD, or POST with a form (OAuth2 token endpoints; never redirected). */
  method?: "GET" | "HEAD" | "POST";
  /** The body of a POST, sent as `application/x-www-form-urlencoded`. */
  form?: Readonly<Record<string, string>>;
  /** The body of a POST as text with its media type (a webhook's JSON), instead of `form`. */
  body?: { contentType: string; text: string };
  /** Extra request headers (Accept, If-None-Match, ...). Authorization and Host are not allowed here. */
  headers?: Readonly<Record<string, string>>;
  /** An Authorization header value, sent only to `authOrigin` and never after leaving it. */
  auth?: string;
  /** The origin that may receive `auth` (the registry's URL); default the request URL's origin. */
  authOrigin?: string | URL;
  /** Size cap on the body, as sent and once decompressed. */
  maxBytes: number;
  /** The setting that sets `maxBytes`, named in the TooLargeError (e.g. CHARTHOUSE_MAX_INDEX_BYTES). */
  limitSetting: string;
  /** Limit for connecting, redirects and response headers together, in ms. Default 15 000. */
  timeoutMs?: number;
  /** Longest pause while reading the body, in ms. Default 30 000. */
  bodyTimeoutMs?: number;
  /**
   * Total time from sending the request to the body's last byte, in ms (CHARTHOUSE_READ_DEADLINE_MS):
   * a body trickled just fast enough to dodge `bodyTimeoutMs` still ends. Default 300 000.
   */
  deadlineMs?: number;
  /** Ask for gzip/br and decode it here (indexes). Off: ask for identity, return bytes as sent (archives). */
  decompress?: boolean;
  /** Follow redirects, re-vetting each destination. Default true. */
  followRedirects?: boolean;
  /** At most this many redirects. Default 5. */
  maxRedirects?: number;
  /** Refuse private networks too (CHARTHOUSE_BLOCK_PRIVATE_NETWORKS). Link-local and metadata are always refused. */
  blockPrivateNetworks: boolean;
  /** Statuses returned to the caller; every other status is an error. Default 200 and 304. */
  acceptStatuses?: readonly number[];
  /** Cancels the request; its reason is rethrown unchanged. */
  signal?: AbortSignal;
}

/** The status line and headers of a registry's final answer. */
export interface RegistryResponseHead {
  status: number;
  /** Response headers, names lowercased, repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The final URL, after redirects. */
  url: string;
}

/** A registry's answer whose body is read as it arrives, under the size cap, the idle timeout and the read deadline. */
export interface RegistryStreamResponse extends RegistryResponseHead {
  /** The body, iterable once; leaving the loop early releases the connection. Empty for HEAD and 304. */
  body: AsyncIterable<Uint8Array>;
  /** Releases the connection without reading the body. */
  cancel(): void;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Sends a request to a registry and returns once the final response headers arrived: vetted
 * destination on every hop, credentials kept to their origin, errors mapped in one place.
 */
export async function registryStream(input: string | URL, options: RegistryRequestOptions): Promise<RegistryStreamResponse> {
  const method = options.method ?? "GET";
  const accept = options.acceptStatuses ?? [200, 304];
  // A POST is not replayed to another address: its form may carry a credential.
  const maxRedirects = options.followRedirects === false || method === "POST" ? 0 : (options.maxRedirects ?? 5);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
  const deadlineMs = options.deadlineMs ?? 300_000;
  const policy = { blockPrivateNetworks: options.blockPrivateNetworks };
  const dispatcher = registryAgent(policy);
  const baseHeaders = requestHeaders(options);
  const formBody = method !== "POST" ? undefined : (options.body?.text ?? new URLSearchParams(options.form ?? {}).toString());
  let url = parseRegistryUrl(input);
  const authOrigin = options.auth === undefined ? undefined : parseRegistryUrl(options.authOrigin ?? url).origin;
  let authStillAllowed = authOrigin !== undefined;

  options.signal?.throwIfAborted();
  const headersDeadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    headersDeadline.abort(new Error(`Timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  // The total deadline outlives this function: it keeps running while the caller reads the body.
  const total = readDeadline(deadlineMs);
  const signals = [headersDeadline.signal, total.signal, ...(options.signal === undefined ? [] : [options.signal])];
  const signal = AbortSignal.any(signals);
  let handedOver = false;

  try {
    for (let redirects = 0; ; redirects++) {
      const shown = displayUrl(url);
      try {
        assertAllowedHost(url, policy);
      } catch (err) {
        throw errorForTransportFailure(err, method, shown, "headers");
      }
      const sendAuth = authStillAllowed && url.origin === authOrigin;
      authStillAllowed = sendAuth;
      const headers = sendAuth && options.auth !== undefined ? { ...baseHeaders, authorization: options.auth } : baseHeaders;

      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method,
          headers,
          ...(formBody === undefined ? {} : { body: formBody }),
          dispatcher,
          signal,
          headersTimeout: timeoutMs,
          bodyTimeout: bodyTimeoutMs,
        });
      } catch (err) {
        if (options.signal?.aborted === true) throw options.signal.reason;
        if (total.expired()) throw total.error(method, shown, err);
        if (timedOut) {
          throw new TimeoutError(`${method} ${shown} timed out: no response headers within ${timeoutMs} ms`, { cause: err });
        }
        throw errorForTransportFailure(err, method, shown, "headers");
      }

      const status = response.statusCode;
      const responseHeaders = flattenHeaders(response.headers);
      if (redirectStatuses.has(status) && maxRedirects > 0 && !accept.includes(status)) {
        releaseBody(response.body);
        url = nextHop(url, responseHeaders.location, { method, status, redirects, maxRedirects });
        continue;
      }
      if (!accept.includes(status)) {
        const bodyText = await readErrorText(response.body, responseHeaders["content-encoding"], Math.min(bodyTimeoutMs, deadlineMs));
        throw errorForStatus({ method, displayUrl: shown, status, headers: responseHeaders, bodyText, authSent: sendAuth });
      }

      const hasBody = method !== "HEAD" && status !== 204 && status !== 304;
      const declared = Number(responseHeaders["content-length"]);
      if (hasBody && Number.isFinite(declared) && declared > options.maxBytes) {
        releaseBody(response.body);
        throw new TooLargeError(
          `${method} ${shown} is ${declared} bytes, over the limit of ${options.maxBytes} bytes (${options.limitSetting})`,
          { setting: options.limitSetting },
        );
      }
      const raw = response.body;
      let decode: BodyReading["decode"];
      try {
        decode = hasBody && options.decompress === true ? contentDecoding(responseHeaders["content-encoding"], method, shown, status) : undefined;
      } catch (err) {
        releaseBody(raw);
        throw err;
      }
      const reading: BodyReading = {
        method,
        displayUrl: shown,
        status,
        maxBytes: options.maxBytes,
        limitSetting: options.limitSetting,
        decode,
        signal: options.signal,
        deadline: total,
      };
      const body = hasBody ? limitedBody(raw, reading) : emptyBody(raw);
      if (hasBody) handedOver = true;
      else total.clear();
      return {
        status,
        headers: responseHeaders,
        url: url.href,
        body,
        cancel: () => {
          total.clear();
          releaseBody(raw);
        },
      };
    }
  } finally {
    clearTimeout(timer);
    if (!handedOver) total.clear();
  }
}

/** Parses a registry URL for a request: http(s) only, user info dropped (credentials travel in `auth`). */
function parseRegistryUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (err) {
    throw new InputError(`"${displayUrl(String(input))}" is not a valid URL`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InputError(`${displayUrl(url)} is not an http:// or https:// URL`);
  }
  url.username = "";
  url.password = "";
  return url;
}

function nextHop(
  from: URL,
  location: string | undefined,
  hop: { method: string; status: number; redirects: number; maxRedirects: number },
): URL {
  const shown = displayUrl(from);
  if (location === undefined || location === "") {
    throw new UpstreamError("registry_error", `${hop.method} ${shown} redirected (${hop.status}) without a Location`, { status: hop.status });
  }
  if (hop.redirects >= hop.maxRedirects) {
    throw new UpstreamError("registry_error", `${hop.method} ${shown} redirected more than ${hop.maxRedirects} times`, {
      status: hop.status,
      solution: "Use the final URL of the repository, or fix the redirect loop on the registry",
    });
  }
  let next: URL;
  try {
    next = new URL(location, from);
  } catch (err) {
    throw new UpstreamError("registry_error", `${hop.method} ${shown} redirected to an invalid Location`, { status: hop.status, cause: err });
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new UnavailableError(`${hop.method} ${shown} redirected to a ${next.protocol} URL, which is never followed`, {
      code: "forbidden_destination",
    });
  }
  next.username = "";
  next.password = "";
  return next;
}

function requestHeaders(options: RegistryRequestOptions): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": "Charthouse" };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "host" || lower === "accept-encoding") {
      throw new TypeError(`The ${name} header is set by registryStream itself; use its options`);
    }
    headers[lower] = value;
  }
  headers["accept-encoding"] = options.decompress === true ? "gzip, br" : "identity";
  if (options.method === "POST") headers["content-type"] = options.body?.contentType ?? "application/x-www-form-urlencoded";
  return headers;
}

function flattenHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

function contentDecoding(
  header: string | undefined,
  method: string,
  shown: string,
  status: number,
): (typeof decodableEncodings)[number] | undefined {
  const encoding = (header ?? "").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return undefined;
  const known = decodableEncodings.find((candidate) => candidate === encoding);
  if (known === undefined) {
    throw new UpstreamError("registry_error", `${method} ${shown} answered with an unsupported Content-Encoding "${encoding.slice(0, 40)}"`, {
      status,
      solution: "The registry or its proxy ignores Accept-Encoding; configure it to send gzip, br or no compression",
    });
  }
  return known;
}

// Returns an empty body and releases the connection at once.
function emptyBody(raw: Readable): AsyncIterable<Uint8Array> {
  releaseBody(raw);
  return { async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {} };
}
