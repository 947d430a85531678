import { type ErrorCode, errorCodes } from "./error_codes.ts";

/** Options shared by every Charthouse error. */
export interface CharthouseErrorOptions {
  /** The underlying error, always kept. */
  cause?: unknown;
  /** Overrides the table's solution with a more specific one. */
  solution?: string;
}

/**
 * The root of Charthouse's error hierarchy. It knows nothing of HTTP or messaging: the API and
 * the messaging adapter map it in one place each, by `code` and by `transient`.
 */
export class CharthouseError extends Error {
  override name = "CharthouseError";
  readonly code: ErrorCode;
  readonly solution: string;
  /** Transient errors are retried with backoff; the others are final at once. */
  readonly transient: boolean = false;

  constructor(code: ErrorCode, message: string, options: CharthouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.solution = options.solution ?? errorCodes[code].solution;
  }
}

/** Bad input from a user or a registry (bad field, bad index, bad chart). */
export class InputError extends CharthouseError {
  override name = "InputError";
  /** Field problems, for 422 responses. */
  readonly fields: readonly { field: string; message: string }[];
  constructor(
    message: string,
    options: CharthouseErrorOptions & { code?: ErrorCode; fields?: { field: string; message: string }[] } = {},
  ) {
    super(options.code ?? "invalid_input", message, options);
    this.fields = options.fields ?? [];
  }
}

/** Something that does not exist (or that this organisation may not see). */
export class NotFoundError extends CharthouseError {
  override name = "NotFoundError";
  constructor(message: string, options: CharthouseErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "not_found", message, options);
  }
}

/** A uniqueness or state conflict. */
export class ConflictError extends CharthouseError {
  override name = "ConflictError";
  constructor(message: string, options: CharthouseErrorOptions = {}) {
    super("conflict", message, options);
  }
}

/** Missing or rejected authentication, ours or a registry's. */
export class UnauthorizedError extends CharthouseError {
  override name = "UnauthorizedError";
  constructor(
    message: string,
    options: CharthouseErrorOptions & { code?: "unauthorized" | "credential_rejected" | "forbidden" } = {},
  ) {
    super(options.code ?? "unauthorized", message, options);
  }
}

/** A registry answered with an error status. 5xx and 429 are transient, the rest final. */
export class UpstreamError extends CharthouseError {
  override name = "UpstreamError";
  readonly status: number;
  /** How long the registry asked us to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs: number | undefined;
  override readonly transient: boolean;
  constructor(
    code: ErrorCode,
    message: string,
    options: CharthouseErrorOptions & { status: number; retryAfterMs?: number | undefined },
  ) {
    super(code, message, options);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.transient = options.status >= 500 || options.status === 429;
  }
}

/** A dependency that cannot be reached now (Postgres, NATS, a registry's host). Transient, unless refused by policy. */
export class UnavailableError extends CharthouseError {
  override name = "UnavailableError";
  override readonly transient: boolean;
  constructor(message: string, options: CharthouseErrorOptions & { code?: ErrorCode } = {}) {
    super(options.code ?? "connection_failed", message, options);
    // A destination we refuse stays refused: retrying it would only knock on the same door.
    this.transient = this.code !== "forbidden_destination";
  }
}

/** A connect or read that took longer than its limit. Transient. */
export class TimeoutError extends CharthouseError {
  override name = "TimeoutError";
  override readonly transient = true;
  constructor(message: string, options: CharthouseErrorOptions = {}) {
    super("timeout", message, options);
  }
}

/** Content over a configured limit; the message names the limit and its setting. */
export class TooLargeError extends CharthouseError {
  override name = "TooLargeError";
  constructor(message: string, options: CharthouseErrorOptions & { setting: string }) {
    super("too_large", message, { ...options, solution: options.solution ?? `Raise ${options.setting} if the content is legitimate` });
  }
}

/** Bytes that do not match their published digest. */
export class IntegrityError extends CharthouseError {
  override name = "IntegrityError";
  constructor(message: string, options: CharthouseErrorOptions = {}) {
    super("digest_mismatch", message, options);
  }
}
