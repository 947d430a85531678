/** "3 minutes ago" / "in 20 seconds" for an RFC 3339 time, relative to `now`. */
export function relativeTime(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return "never";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  const [value, unit] =
    abs < 60
      ? [seconds, "second"]
      : abs < 3600
        ? [Math.round(seconds / 60), "minute"]
        : abs < 86_400
          ? [Math.round(seconds / 3600), "hour"]
          : [Math.round(seconds / 86_400), "day"];
  if (value === 0) return "just now";
  const n = Math.abs(value);
  const text = `${n} ${unit}${n === 1 ? "" : "s"}`;
  return value < 0 ? `${text} ago` : `in ${text}`;
}

/** A sync interval in words: "every 2 minutes", "not automatically". */
export function intervalText(seconds: number): string {
  if (seconds === 0) return "not automatically";
  if (seconds % 3600 === 0) return `every ${plural(seconds / 3600, "hour")}`;
  if (seconds % 60 === 0) return `every ${plural(seconds / 60, "minute")}`;
  return `every ${plural(seconds, "second")}`;
}

/** A byte count in KiB/MiB. */
export function byteSize(bytes: number | null): string {
  if (bytes === null) return "unknown size";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function plural(n: number, unit: string): string {
  return n === 1 ? unit : `${n} ${unit}s`;
}
