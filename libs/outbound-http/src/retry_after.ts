/**
 * Milliseconds to wait from a `Retry-After` value (delta seconds or an HTTP date), or
 * undefined when the header is missing or unreadable. A date in the past waits 0 ms.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // HTTP dates always name a weekday or month; this keeps Date.parse from reading "12" as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long a throttled registry asks us to wait: `Retry-After`, else `RateLimit-Reset`
 * (delta seconds, or epoch seconds as GitHub's `X-RateLimit-Reset` sends them).
 */
export function retryAfterFromHeaders(
  headers: Readonly<Record<string, string>>,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers["ratelimit-reset"] ?? headers["x-ratelimit-reset"];
  if (reset === undefined || !/^\d+$/.test(reset.trim())) return undefined;
  const seconds = Number(reset.trim());
  // Values this large are Unix times, not deltas (a delta of 30 years is not a thing).
  return seconds > 1_000_000_000 ? Math.max(0, seconds * 1000 - now) : seconds * 1000;
}
