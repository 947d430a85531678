import { booleanSetting, commonSettings, integerSetting, loadConfig, optionalString, secretKeyListSetting } from "@charthouse/config";
import { z } from "zod";

/** CHARTHOUSE_SECRET_KEY: unset, or base64 of exactly 32 bytes (AES-256). */
function secretKeySetting(): z.ZodType<string | undefined> {
  return optionalString().superRefine((value, ctx) => {
    if (value === undefined) return;
    const valid = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value) && Buffer.from(value, "base64").length === 32;
    if (!valid) ctx.addIssue({ code: "custom", message: "must be 32 random bytes in base64 (openssl rand -base64 32)" });
  });
}

const registryApiSettings = {
  ...commonSettings(8080),
  /** Creates or keeps an admin token with this value for the default organisation. */
  CHARTHOUSE_BOOTSTRAP_TOKEN: optionalString(),
  /** The credential encryption key; without it credentials cannot be created. */
  CHARTHOUSE_SECRET_KEY: secretKeySetting(),
  /** Keys that still open credentials while `npm run rotate-secret-key` moves them to the current key. */
  CHARTHOUSE_PREVIOUS_SECRET_KEYS: secretKeyListSetting(),
  /** Refuse webhook targets on private networks too (link-local and metadata are always refused). */
  CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: booleanSetting(false),
  /** Postgres connections the API's requests share (queries past it wait in the process). */
  CHARTHOUSE_DB_POOL_SIZE: integerSetting(20, { min: 1, max: 200 }),
};

/** The validated configuration of registry-api. */
export type RegistryApiConfig = Readonly<z.infer<z.ZodObject<typeof registryApiSettings>>>;

/** Reads and validates registry-api's environment once, reporting every problem together. */
export function loadRegistryApiConfig(env: Record<string, string | undefined> = process.env): RegistryApiConfig {
  return loadConfig(registryApiSettings, env);
}
