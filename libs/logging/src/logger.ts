import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Paths whose values never reach a log line. Secrets travel in these fields only; anything
 * else that could hold one (URLs with userinfo) is stripped before logging.
 */
export const redactedPaths: readonly string[] = [
  "password",
  "token",
  "secret",
  "authorization",
  "*.password",
  "*.token",
  "*.secret",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "req.headers.authorization",
  "req.headers.cookie",
  "err.config.headers.authorization",
  "credential.secret",
  "secret_access_key",
  "*.secret_access_key",
  "client_secret",
  "*.client_secret",
  "service_account_json",
  "*.service_account_json",
  "private_key",
  "*.private_key",
  "session_token",
  "*.session_token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "refreshToken",
  "*.refreshToken",
];

/**
 * How `{ err }` is written. Charthouse's own errors (they carry a code and a solution: a registry
 * down, Postgres away) are expected failures an operator reads by code and message, so they are
 * one short object without a stack, however often they repeat; anything else (a bug) keeps
 * pino's full form with its stack.
 */
export function serializeError(err: unknown): unknown {
  if (!isCharthouseError(err)) return pino.stdSerializers.err(err as Error);
  const causes: string[] = [];
  let cause: unknown = err.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    causes.push(cause instanceof Error ? cause.message : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return { type: err.name, code: err.code, message: err.message, ...(causes.length > 0 ? { cause: causes.join(" <- ") } : {}) };
}

function isCharthouseError(err: unknown): err is Error & { code: string; solution: string } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === "string" && typeof (err as { solution?: unknown }).solution === "string";
}

/** Creates the JSON logger of one service; child loggers add registryId, msgId and the like. */
export function createLogger(service: string, options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? "info",
    base: { service },
    serializers: { err: serializeError },
    redact: { paths: [...redactedPaths], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
