import { UnavailableError, type CharthouseErrorOptions } from "./charthouse_error.ts";
import type { ErrorCode } from "./error_codes.ts";

/**
 * Work that was not attempted and should be tried again after `retryAfterMs`: a registry host
 * whose circuit is open, an archive another copy is fetching right now, a sync another copy holds.
 * It is not a failure of the object it concerns, so it spends none of its attempts.
 */
export class DeferredError extends UnavailableError {
  override name = "DeferredError";
  /** How long to wait before trying again, in ms. */
  readonly retryAfterMs: number;
  constructor(message: string, options: CharthouseErrorOptions & { code?: ErrorCode; retryAfterMs: number }) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
