import { commonSettings, integerSetting, loadConfig } from "@charthouse/config";

/** The scheduler's settings, validated once at start. */
export function loadSchedulerConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(
    {
      ...commonSettings(8081),
      /** How often due registries are claimed. */
      CHARTHOUSE_SCHEDULER_TICK_MS: integerSetting(1_000, { min: 50, max: 60_000 }),
      /** The most registries one tick claims. */
      CHARTHOUSE_SCHEDULER_BATCH: integerSetting(1_000, { min: 1, max: 100_000 }),
      /** A sync with no progress for this long is published again. */
      CHARTHOUSE_SYNC_REPUBLISH_AFTER_SECONDS: integerSetting(300, { min: 10, max: 86_400 }),
      /** A sync unfinished after this long is failed, so a registry never stays stuck. */
      CHARTHOUSE_SYNC_ABANDON_AFTER_SECONDS: integerSetting(3_600, { min: 60, max: 604_800 }),
    },
    env,
  );
}

/** The scheduler's configuration. */
export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;
