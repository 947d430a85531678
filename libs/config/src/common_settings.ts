import { booleanSetting, choiceSetting, integerSetting, optionalUrlSetting, secretKeyListSetting, urlSetting } from "./env_schema.ts";

/**
 * Settings every service reads: where Postgres and NATS are, logging, and its own HTTP port.
 * `defaultConcurrency` is the service's own default of CHARTHOUSE_CONCURRENCY (8 unless it says).
 */
export function commonSettings(defaultPort: number, defaultConcurrency = 8) {
  return {
    DATABASE_URL: urlSetting("postgres://postgres@127.0.0.1:5432/charthouse", ["postgres:", "postgresql:"]),
    NATS_URL: urlSetting("nats://127.0.0.1:4222", ["nats:", "tls:"]),
    LOG_LEVEL: choiceSetting("info", ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const),
    PORT: integerSetting(defaultPort, { min: 0, max: 65535 }),
    /** How many messages one copy of a service works on at once. */
    CHARTHOUSE_CONCURRENCY: integerSetting(defaultConcurrency, { min: 1, max: 256 }),
    /**
     * How long a message that keeps failing for a passing reason is retried (counted from when it
     * was first published) before its object is marked failed and it goes to the dead-letter stream.
     */
    CHARTHOUSE_GIVE_UP_AFTER_SECONDS: integerSetting(86_400, { min: 1, max: 30 * 86_400 }),
    /** The longest wait between two retries of one message. */
    CHARTHOUSE_RETRY_MAX_DELAY_MS: integerSetting(300_000, { min: 100, max: 3_600_000 }),
  };
}

/** Limits and guards for every service that talks to registries. */
export function registryAccessSettings() {
  return {
    CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: booleanSetting(false),
    CHARTHOUSE_REQUEST_TIMEOUT_MS: integerSetting(15_000, { min: 100, max: 600_000 }),
    CHARTHOUSE_BODY_TIMEOUT_MS: integerSetting(30_000, { min: 100, max: 600_000 }),
    /** Total time of one read from a registry (index, manifest, tag list, blob, archive), body included. */
    CHARTHOUSE_READ_DEADLINE_MS: integerSetting(300_000, { min: 500, max: 3_600_000 }),
    CHARTHOUSE_CIRCUIT_RESET_MS: integerSetting(30_000, { min: 1_000, max: 3_600_000 }),
    /** Keys that still open credentials while `npm run rotate-secret-key` moves them to CHARTHOUSE_SECRET_KEY. */
    CHARTHOUSE_PREVIOUS_SECRET_KEYS: secretKeyListSetting(),
    /** The Amazon ECR API endpoint instead of each region's own (a VPC endpoint; tests). */
    CHARTHOUSE_AWS_ECR_ENDPOINT: optionalUrlSetting(["http:", "https:"]),
    /** The Microsoft Entra ID authority instead of https://login.microsoftonline.com (sovereign clouds; tests). */
    CHARTHOUSE_AZURE_AUTHORITY_HOST: optionalUrlSetting(["https:"]),
    /** Cloud registry tokens (ECR, Google, ACR) are fetched again this long before they expire. */
    CHARTHOUSE_CLOUD_TOKEN_MARGIN_MS: integerSetting(300_000, { min: 0, max: 3_600_000 }),
  };
}
