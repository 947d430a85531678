import { booleanSetting, choiceSetting, integerSetting, urlSetting } from "./env_schema.ts";

/** Settings every service reads: where Postgres and NATS are, logging, and its own HTTP port. */
export function commonSettings(defaultPort: number) {
  return {
    DATABASE_URL: urlSetting("postgres://postgres@127.0.0.1:5432/charthouse", ["postgres:", "postgresql:"]),
    NATS_URL: urlSetting("nats://127.0.0.1:4222", ["nats:", "tls:"]),
    LOG_LEVEL: choiceSetting("info", ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const),
    PORT: integerSetting(defaultPort, { min: 0, max: 65535 }),
    /** How many messages one copy of a service works on at once. */
    CHARTHOUSE_CONCURRENCY: integerSetting(8, { min: 1, max: 256 }),
    /** Deliveries of one message before it goes to the dead-letter stream. */
    CHARTHOUSE_MAX_DELIVERIES: integerSetting(8, { min: 1, max: 100 }),
  };
}

/** Limits and guards for every service that talks to registries. */
export function registryAccessSettings() {
  return {
    CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: booleanSetting(false),
    CHARTHOUSE_REQUEST_TIMEOUT_MS: integerSetting(15_000, { min: 100, max: 600_000 }),
    CHARTHOUSE_BODY_TIMEOUT_MS: integerSetting(30_000, { min: 100, max: 600_000 }),
    CHARTHOUSE_CIRCUIT_RESET_MS: integerSetting(30_000, { min: 1_000, max: 3_600_000 }),
  };
}
