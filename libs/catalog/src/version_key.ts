/**
 * The key of a chart version within one registry. NUL cannot occur in a chart name or a version,
 * so `a-1` + `0` and `a` + `1-0` never meet.
 */
export function versionKey(chart: string, version: string): string {
  return `${chart}\u0000${version}`;
}
