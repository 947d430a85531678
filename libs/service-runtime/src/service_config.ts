import { InputError } from "@charthouse/errors";
import { createLogger } from "@charthouse/logging";

/**
 * Loads a service's settings. Invalid settings are an operator's mistake, not a bug: they end the
 * process with one fatal log line naming each bad field and exit code 1, never a stack trace.
 */
export function loadServiceConfig<Config>(service: string, load: () => Config): Config {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    createLogger(service).fatal({ err, fields: err.fields }, "Invalid configuration, not starting");
    process.exit(1);
  }
}
