/** pino loggers for every service: JSON to stdout, secrets redacted by path. */
export { createLogger, redactedPaths, serializeError, type Logger } from "./logger.ts";
