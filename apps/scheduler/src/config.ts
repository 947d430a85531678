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
      /** How often lost sync messages, stuck versions and failed versions due for another try are looked for. */
      CHARTHOUSE_RECOVERY_INTERVAL_SECONDS: integerSetting(60, { min: 1, max: 3_600 }),
      /** A version downloading or extracting that nothing has touched for this long has its message published again. */
      CHARTHOUSE_STUCK_VERSION_SECONDS: integerSetting(900, { min: 5, max: 86_400 }),
      /** A version that failed for a passing reason (timeout, registry error, rate limit...) is tried again after this long. */
      CHARTHOUSE_FAILED_RETRY_SECONDS: integerSetting(21_600, { min: 5, max: 30 * 86_400 }),
      /** How often the storage sweep collects unreferenced archives and purges old tombstones. */
      CHARTHOUSE_STORAGE_SWEEP_INTERVAL_SECONDS: integerSetting(600, { min: 1, max: 86_400 }),
      /** An archive stored less than this long ago is never collected. */
      CHARTHOUSE_ARCHIVE_GC_GRACE_SECONDS: integerSetting(3_600, { min: 0, max: 30 * 86_400 }),
      /** Removed versions are kept this many days, then purged. */
      CHARTHOUSE_TOMBSTONE_RETENTION_DAYS: integerSetting(30, { min: 0, max: 36_500 }),
      /** How often finished sync runs past their retention are deleted. */
      CHARTHOUSE_SYNC_RUN_PRUNE_INTERVAL_SECONDS: integerSetting(600, { min: 1, max: 86_400 }),
      /** A finished sync run requested longer ago than this many days is deleted (never a registry's latest). */
      CHARTHOUSE_SYNC_RUN_RETENTION_DAYS: integerSetting(7, { min: 0, max: 36_500 }),
      /** A finished sync run not among its registry's newest this many runs is deleted. */
      CHARTHOUSE_SYNC_RUNS_KEPT: integerSetting(100, { min: 1, max: 1_000_000 }),
    },
    env,
  );
}

/** The scheduler's configuration. */
export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;
