import { UpstreamError } from "@charthouse/errors";
import { displayUrl, retryAfterFromHeaders } from "@charthouse/outbound-http";

/** Options of {@link createHostRateLimits}. */
export interface HostRateLimitsOptions {
  /** The longest a request waits for a throttled host before failing with `rate_limited`, in ms. Default 30 000. */
  maxWaitMs?: number;
  /** The wait after a 429 without `Retry-After`, doubled on each further 429 up to 5 minutes, in ms. Default 1 000. */
  defaultWaitMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * What registries said about their rate limits, per origin, shared by every session of a client:
 * a host that says it is out of requests (429, `RateLimit-Remaining: 0`) is left alone until
 * the time it asks for, and requests to it wait or fail with `rate_limited`.
 */
export interface HostRateLimits {
  /** Waits while `origin` is throttled; true when it waited. Throws `rate_limited` when the wait would be too long. */
  beforeRequest(origin: string, signal: AbortSignal | undefined): Promise<boolean>;
  /** Learns from a response of `origin` (its status and rate-limit headers). */
  observe(origin: string, status: number, headers: Readonly<Record<string, string>>): void;
  /** How long `origin` is still throttled for, in ms (0 when it is not). */
  waitFor(origin: string): number;
}

interface HostState {
  blockedUntil: number;
  /** 429s in a row, for the back-off when no Retry-After is given. */
  strikes: number;
}

/** Creates the per-host rate-limit state of one OCI client. */
export function createHostRateLimits(options: HostRateLimitsOptions = {}): HostRateLimits {
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const defaultWaitMs = options.defaultWaitMs ?? 1_000;
  const now = options.now ?? Date.now;
  const hosts = new Map<string, HostState>();
  const stateOf = (origin: string): HostState => {
    let state = hosts.get(origin);
    if (state === undefined) {
      state = { blockedUntil: 0, strikes: 0 };
      hosts.set(origin, state);
    }
    return state;
  };
  const waitFor = (origin: string): number => Math.max(0, (hosts.get(origin)?.blockedUntil ?? 0) - now());

  return {
    waitFor,
    async beforeRequest(origin, signal) {
      signal?.throwIfAborted();
      let waited = false;
      // A loop, since a timer may fire a millisecond before the clock reaches the end of the wait.
      for (let wait = waitFor(origin); wait > 0; wait = waitFor(origin)) {
        if (wait > maxWaitMs) {
          throw new UpstreamError(
            "rate_limited",
            `${displayUrl(origin)} is rate limiting Charthouse; it asks to wait ${Math.ceil(wait / 1000)} s, longer than the ${Math.ceil(maxWaitMs / 1000)} s a request may wait`,
            { status: 429, retryAfterMs: wait },
          );
        }
        await sleep(wait, signal);
        waited = true;
      }
      return waited;
    },
    observe(origin, status, headers) {
      const at = now();
      const state = stateOf(origin);
      if (status === 429) {
        state.strikes++;
        const asked = retryAfterFromHeaders(headers, at);
        const wait = asked ?? Math.min(defaultWaitMs * 2 ** (state.strikes - 1), 300_000);
        state.blockedUntil = Math.max(state.blockedUntil, at + wait);
        return;
      }
      state.strikes = 0;
      const remaining = rateLimitValue(headers["ratelimit-remaining"] ?? headers["x-ratelimit-remaining"]);
      if (remaining === undefined || remaining.count > 0) return;
      // Out of requests but not refused yet (Docker Hub's RateLimit-Remaining: 0;w=21600): wait for
      // the time asked, else for one request's share of the window (w / limit).
      const limit = rateLimitValue(headers["ratelimit-limit"] ?? headers["x-ratelimit-limit"]);
      const windowSeconds = remaining.windowSeconds ?? limit?.windowSeconds;
      const share = windowSeconds !== undefined && limit !== undefined && limit.count > 0 ? (windowSeconds * 1000) / limit.count : undefined;
      const wait = retryAfterFromHeaders(headers, at) ?? share ?? 60_000;
      state.blockedUntil = Math.max(state.blockedUntil, at + wait);
    },
  };
}

/** Reads `100;w=21600` (Docker Hub) or `100` into a count and an optional window in seconds. */
export function rateLimitValue(header: string | undefined): { count: number; windowSeconds: number | undefined } | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(header);
  if (match === null) return undefined;
  return { count: Number(match[1]), windowSeconds: match[2] === undefined ? undefined : Number(match[2]) };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
