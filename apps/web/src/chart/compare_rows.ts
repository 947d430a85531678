import type { VersionComparison } from "../api/api_types.ts";

/** How a path differs between the two versions. */
export type ChangeMark = "added" | "removed" | "changed";

/** One row of the values table: a path, and its value on each side (absent on the side that lacks it). */
export interface ValuesRow {
  path: string;
  mark: ChangeMark;
  old?: unknown;
  new?: unknown;
}

/** The values changes as one list sorted by path, so that a map's leaves stay together. */
export function valuesRows(values: VersionComparison["values"]): ValuesRow[] {
  const rows: ValuesRow[] = [
    ...values.added.map((a) => ({ path: a.path, mark: "added" as const, new: a.new })),
    ...values.removed.map((r) => ({ path: r.path, mark: "removed" as const, old: r.old })),
    ...values.changed.map((c) => ({ path: c.path, mark: "changed" as const, old: c.old, new: c.new })),
  ];
  return rows.sort(byPath);
}

/** One row of the schema table: a property added or removed, or one keyword of it changed. */
export interface SchemaRow {
  path: string;
  mark: ChangeMark;
  /** The keyword that changed (type, enum, default, required); null for a property added or removed. */
  field: string | null;
  old: unknown;
  new: unknown;
}

/** The schema changes as one list sorted by property path (a property's keywords in the API's order). */
export function schemaRows(schema: VersionComparison["schema"]): SchemaRow[] {
  const rows: SchemaRow[] = [
    ...schema.added.map((a) => ({ path: a.path, mark: "added" as const, field: null, old: null, new: null })),
    ...schema.removed.map((r) => ({ path: r.path, mark: "removed" as const, field: null, old: null, new: null })),
    ...schema.changed.map((c) => ({ path: c.path, mark: "changed" as const, field: c.field, old: c.old, new: c.new })),
  ];
  return rows.sort(byPath);
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * A value as one line of text: JSON, so that a string `"1"` and a number `1` read differently
 * and a list shows its items; "" for a side that has no value.
 */
export function valueText(value: unknown): string {
  if (value === undefined) return "";
  return JSON.stringify(value) ?? String(value);
}

/** How many differences a comparison lists, section by section (the image lists themselves are not differences). */
export function changeCounts(c: VersionComparison): Record<"values" | "schema" | "chartYaml" | "images" | "changelog", number> {
  const deps = c.chart_yaml.dependencies;
  return {
    values: c.values.added.length + c.values.removed.length + c.values.changed.length,
    schema: c.schema.added.length + c.schema.removed.length + c.schema.changed.length,
    chartYaml: c.chart_yaml.changed.length + deps.added.length + deps.removed.length + deps.changed.length,
    images: c.images.added.length + c.images.removed.length + c.images.changed.length,
    changelog: c.changelog.length,
  };
}

/** Whether two versions differ in nothing the comparison looks at. */
export function isEmptyComparison(c: VersionComparison): boolean {
  return Object.values(changeCounts(c)).every((n) => n === 0);
}
