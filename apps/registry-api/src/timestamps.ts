/** A timestamp as an RFC 3339 UTC string, or null. */
export function isoOrNull(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
