/**
 * Charthouse's error hierarchy. It knows nothing of HTTP or messaging; registry-api maps it to
 * problem+json and the messaging adapter to ack, nak with backoff, or term.
 */
export { errorCodes, isErrorCode, type ErrorCode } from "./error_codes.ts";
export {
  CharthouseError,
  ConflictError,
  InputError,
  IntegrityError,
  NotFoundError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
  UpstreamError,
  type CharthouseErrorOptions,
} from "./charthouse_error.ts";
export { DeferredError } from "./deferred_error.ts";
export { hasNul, storableJson, storableText } from "./storable_text.ts";
export { toStoredError, type StoredError } from "./stored_error.ts";
