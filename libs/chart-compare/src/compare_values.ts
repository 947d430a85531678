import { flattenValues } from "./flatten_values.ts";
import { jsonEqual } from "./json_equal.ts";
import { parseValuesYaml, type ValuesMap } from "./parse_values_yaml.ts";
import { chartValuesLimits, type ValuesLimits } from "./values_limits.ts";

/** How the default values of two chart versions differ, leaf by leaf. */
export interface ValuesDiff {
  added: { path: string; new: unknown }[];
  removed: { path: string; old: unknown }[];
  changed: { path: string; old: unknown; new: unknown }[];
}

/** Options of {@link compareValues}. */
export interface CompareValuesOptions {
  /** Names the two documents in error messages (default `values.yaml of the "from" version` and of "to"). */
  fromWhat?: string;
  toWhat?: string;
  limits?: Readonly<ValuesLimits>;
}

/**
 * Compares two values.yaml texts by leaf path (see flattenValues): a key whose map appears or
 * disappears counts once per leaf; a scalar that becomes a map is one path removed and its leaves
 * added. Comments, key order, quoting and flow style are not changes. `null` text is no values.
 */
export function compareValues(fromYaml: string | null, toYaml: string | null, options: CompareValuesOptions = {}): ValuesDiff {
  const limits = options.limits ?? chartValuesLimits;
  const from = parseValuesYaml(fromYaml ?? "", options.fromWhat ?? 'values.yaml of the "from" version', limits);
  const to = parseValuesYaml(toYaml ?? "", options.toWhat ?? 'values.yaml of the "to" version', limits);
  return compareValueMaps(from, to);
}

/** compareValues on values already parsed with parseValuesYaml (so each document is parsed once). */
export function compareValueMaps(fromValues: ValuesMap, toValues: ValuesMap): ValuesDiff {
  const from = flattenValues(fromValues);
  const to = flattenValues(toValues);
  const diff: ValuesDiff = { added: [], removed: [], changed: [] };
  for (const [path, value] of from) {
    if (!to.has(path)) diff.removed.push({ path, old: value });
  }
  for (const [path, value] of to) {
    if (!from.has(path)) {
      diff.added.push({ path, new: value });
    } else if (!jsonEqual(from.get(path), value)) {
      diff.changed.push({ path, old: from.get(path), new: value });
    }
  }
  return diff;
}
