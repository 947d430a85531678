import { TooLargeError } from "@charthouse/errors";

/** Size and count limits applied while reading a chart archive. */
export interface ChartArchiveLimits {
  /** Largest compressed archive accepted (CHARTHOUSE_MAX_ARCHIVE_BYTES). */
  maxArchiveBytes: number;
  /** Largest total size of the archive's files once decompressed (CHARTHOUSE_MAX_UNPACKED_BYTES). */
  maxUnpackedBytes: number;
  /** Largest single file inside the archive (CHARTHOUSE_MAX_FILE_BYTES). */
  maxFileBytes: number;
  /** Most regular files in one archive, subcharts included (CHARTHOUSE_MAX_ARCHIVE_FILES). */
  maxFiles: number;
}

const MiB = 1024 * 1024;

/** The defaults, mirroring Helm's own loader limits (20 MiB archive, 100 MiB unpacked, 5 MiB per file). */
export const defaultChartArchiveLimits: Readonly<ChartArchiveLimits> = Object.freeze({
  maxArchiveBytes: 20 * MiB,
  maxUnpackedBytes: 100 * MiB,
  maxFileBytes: 5 * MiB,
  maxFiles: 10_000,
});

/** The setting that raises each limit, named in TooLargeError messages. */
export const chartArchiveLimitSettings = {
  maxArchiveBytes: "CHARTHOUSE_MAX_ARCHIVE_BYTES",
  maxUnpackedBytes: "CHARTHOUSE_MAX_UNPACKED_BYTES",
  maxFileBytes: "CHARTHOUSE_MAX_FILE_BYTES",
  maxFiles: "CHARTHOUSE_MAX_ARCHIVE_FILES",
} as const satisfies Record<keyof ChartArchiveLimits, string>;

/** The TooLargeError for a reached limit: `what`, then the limit and the setting that raises it. */
export function chartArchiveLimitError(limit: keyof ChartArchiveLimits, limits: ChartArchiveLimits, what: string): TooLargeError {
  const setting = chartArchiveLimitSettings[limit];
  const unit = limit === "maxFiles" ? "files" : "bytes";
  return new TooLargeError(`${what}, over the limit of ${limits[limit]} ${unit} (${setting})`, { setting });
}
