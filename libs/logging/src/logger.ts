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

/** Creates the JSON logger of one service; child loggers add registryId, msgId and the like. */
export function createLogger(service: string, options: { level?: string } = {}): Logger {
  return pino({
    level: options.level ?? "info",
    base: { service },
    redact: { paths: [...redactedPaths], censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
