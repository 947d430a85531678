import { booleanSetting, commonSettings, integerSetting, loadConfig, optionalString, secretKeyListSetting } from "@charthouse/config";

/** The notifier's settings, validated once at start. */
export function loadNotifierConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      ...commonSettings(8086),
      /** The key that opens subscriptions' signing secrets (32 bytes, base64), as registry-api sealed them. */
      CHARTHOUSE_SECRET_KEY: optionalString(),
      CHARTHOUSE_PREVIOUS_SECRET_KEYS: secretKeyListSetting(),
      /** Refuse webhook targets on private networks too; link-local and metadata addresses are always refused. */
      CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: booleanSetting(false),
      /** The wait before a failed delivery's first retry; each further retry waits twice as long, for up to a day. */
      CHARTHOUSE_WEBHOOK_RETRY_BASE_MS: integerSetting(5_000, { min: 10, max: 3_600_000 }),
      /** Time limit of one delivery attempt: connecting, sending, and the answer's head and body. */
      CHARTHOUSE_WEBHOOK_TIMEOUT_MS: integerSetting(10_000, { min: 100, max: 120_000 }),
      /** How often due deliveries are looked for when none were due at the last look. */
      CHARTHOUSE_WEBHOOK_POLL_MS: integerSetting(500, { min: 10, max: 60_000 }),
      /** How many deliveries one copy of the notifier sends at once. */
      CHARTHOUSE_WEBHOOK_CONCURRENCY: integerSetting(16, { min: 1, max: 512 }),
    },
    env,
  );
}

/** The notifier's configuration. */
export type NotifierConfig = ReturnType<typeof loadNotifierConfig>;
