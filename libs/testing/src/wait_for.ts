/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** What is awaited, for the error message: `"nginx to accept connections"`. */
  what: string;
  /** Deadline in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Pause between two checks in milliseconds (default 50). */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns something other than `undefined` or `false`, and returns that.
 * A check that throws counts as "not yet"; its last error becomes the `cause` of the timeout.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.what}${detail}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}
