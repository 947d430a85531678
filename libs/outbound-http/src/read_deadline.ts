import { TimeoutError } from "@charthouse/errors";

/** The total deadline of one registry read: from sending the request to the body's last byte. */
export interface ReadDeadline {
  /** Aborted when the deadline passes. */
  readonly signal: AbortSignal;
  /** True once the deadline has passed. */
  expired(): boolean;
  /** Stops the timer (the read ended first). */
  clear(): void;
  /** The TimeoutError of a read that the deadline ended. */
  error(method: string, displayUrl: string, cause?: unknown): TimeoutError;
}

/**
 * Starts the total deadline of one read. Unlike the idle body timeout, a registry that trickles
 * its body (one byte a second) cannot keep it alive; the timer does not keep the process alive.
 */
export function readDeadline(ms: number): ReadDeadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`The read deadline of ${ms} ms passed`));
  }, ms);
  timer.unref();
  return {
    signal: controller.signal,
    expired: () => expired,
    clear: () => clearTimeout(timer),
    error: (method, displayUrl, cause) =>
      new TimeoutError(`${method} ${displayUrl} timed out: it did not finish within ${ms} ms (CHARTHOUSE_READ_DEADLINE_MS)`, {
        ...(cause === undefined ? {} : { cause }),
        solution: "Check the registry's speed and the network to it, or raise CHARTHOUSE_READ_DEADLINE_MS if its content is legitimately slow to send",
      }),
  };
}
