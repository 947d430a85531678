/** Settings of exponential backoff with jitter. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The default: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export const defaultBackoff: BackoffPolicy = { baseMs: 1_000, maxMs: 300_000 };

/**
 * The delay before attempt `attempt + 1`: exponential, capped, with full jitter on the upper half
 * so that a fleet of failures does not come back in lockstep; never shorter than the registry's
 * own Retry-After.
 */
export function backoffDelay(
  attempt: number,
  options: { policy?: BackoffPolicy | undefined; retryAfterMs?: number | undefined; random?: () => number } = {},
): number {
  const policy = options.policy ?? defaultBackoff;
  const random = options.random ?? Math.random;
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, options.retryAfterMs ?? 0));
}

/**
 * The wait before deferred work is tried again: what was asked, plus up to half again of jitter
 * so that the messages an open circuit deferred do not all come back at the same instant.
 */
export function deferralDelay(retryAfterMs: number, random: () => number = Math.random): number {
  const asked = Math.max(50, retryAfterMs);
  return Math.round(asked + random() * (asked / 2));
}
