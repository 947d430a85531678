import { jsonEqual } from "./json_equal.ts";
import { isValuesMap } from "./parse_values_yaml.ts";
import { changesAnnotation } from "./changelog_between.ts";

/** A dependency entry of Chart.yaml as written (name, version, repository, condition, alias...). */
export type ChartDependency = Record<string, unknown> & { name: string };

/** How two Chart.yaml documents differ. */
export interface ChartYamlDiff {
  /** Changed fields; `old`/`new` are null where the field is absent. Annotations count one by one, `annotations["key"]`. */
  changed: { field: string; old: unknown; new: unknown }[];
  dependencies: {
    added: ChartDependency[];
    removed: ChartDependency[];
    /** Only the fields that differ, on each side. */
    changed: { name: string; old: Record<string, unknown>; new: Record<string, unknown> }[];
  };
}

/** Fields that are not compared: they name the versions being compared, or have a section of their own. */
const skippedFields = new Set(["name", "version", "dependencies", "annotations"]);

/**
 * Compares two parsed Chart.yaml documents (as stored from the archive; null when missing): every
 * top-level field but name and version, each annotation except the changelog one, and the
 * dependencies matched by alias, else name.
 */
export function compareChartYaml(fromChartYaml: unknown, toChartYaml: unknown): ChartYamlDiff {
  const from = isValuesMap(fromChartYaml) ? fromChartYaml : {};
  const to = isValuesMap(toChartYaml) ? toChartYaml : {};
  const changed: ChartYamlDiff["changed"] = [];
  for (const field of unionKeys(from, to)) {
    if (skippedFields.has(field)) continue;
    pushIfChanged(changed, field, from[field], to[field]);
  }
  const fromAnnotations = isValuesMap(from["annotations"]) ? from["annotations"] : {};
  const toAnnotations = isValuesMap(to["annotations"]) ? to["annotations"] : {};
  for (const key of unionKeys(fromAnnotations, toAnnotations)) {
    if (key === changesAnnotation) continue;
    pushIfChanged(changed, `annotations[${JSON.stringify(key)}]`, fromAnnotations[key], toAnnotations[key]);
  }
  return { changed, dependencies: compareDependencies(dependenciesOf(from), dependenciesOf(to)) };
}

function compareDependencies(from: Map<string, ChartDependency>, to: Map<string, ChartDependency>): ChartYamlDiff["dependencies"] {
  const diff: ChartYamlDiff["dependencies"] = { added: [], removed: [], changed: [] };
  for (const [key, dependency] of from) {
    if (!to.has(key)) diff.removed.push(dependency);
  }
  for (const [key, after] of to) {
    const before = from.get(key);
    if (before === undefined) {
      diff.added.push(after);
      continue;
    }
    const old: Record<string, unknown> = {};
    const now: Record<string, unknown> = {};
    for (const field of unionKeys(before, after)) {
      if (jsonEqual(before[field], after[field])) continue;
      old[field] = before[field] ?? null;
      now[field] = after[field] ?? null;
    }
    if (Object.keys(old).length > 0) diff.changed.push({ name: key, old, new: now });
  }
  return diff;
}

/** The dependencies by alias, else name; entries without a name are not dependencies Helm would load. */
function dependenciesOf(chartYaml: Record<string, unknown>): Map<string, ChartDependency> {
  const found = new Map<string, ChartDependency>();
  const list = chartYaml["dependencies"];
  if (!Array.isArray(list)) return found;
  for (const entry of list) {
    if (!isValuesMap(entry) || typeof entry["name"] !== "string") continue;
    const alias = entry["alias"];
    found.set(typeof alias === "string" && alias !== "" ? alias : entry["name"], entry as ChartDependency);
  }
  return found;
}

function pushIfChanged(changed: ChartYamlDiff["changed"], field: string, before: unknown, after: unknown): void {
  if (!jsonEqual(before ?? null, after ?? null)) changed.push({ field, old: before ?? null, new: after ?? null });
}

/** Keys of `to` in its order, then those only in `from`. */
function unionKeys(from: Record<string, unknown>, to: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(to), ...Object.keys(from)])];
}
