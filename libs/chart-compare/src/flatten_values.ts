import { isValuesMap, type ValuesMap } from "./parse_values_yaml.ts";
import { appendValuePath } from "./value_path.ts";

/**
 * Leaves already listed, by parsed values map: values kept by their caller (a cache of versions)
 * are walked once. Parsed values are never changed, so a listing stays true of its map.
 */
const flattened = new WeakMap<ValuesMap, ReadonlyMap<string, unknown>>();

/**
 * The leaves of a values map by dotted path, in document order: scalars, null, lists (one value
 * at their own path, never entered) and empty maps (one path each, so `annotations: {}` counts).
 * Expects a value that went through parseValuesYaml, whose size and depth are bounded.
 */
export function flattenValues(values: ValuesMap): ReadonlyMap<string, unknown> {
  const known = flattened.get(values);
  if (known !== undefined) return known;
  const leaves = new Map<string, unknown>();
  // An explicit stack in reverse order keeps document order without recursion.
  const stack: { path: string; value: unknown }[] = [];
  const pushChildren = (path: string, map: ValuesMap): void => {
    const keys = Object.keys(map);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i] as string;
      stack.push({ path: appendValuePath(path, key), value: map[key] });
    }
  };
  pushChildren("", values);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (isValuesMap(next.value) && Object.keys(next.value).length > 0) {
      pushChildren(next.path, next.value);
    } else {
      leaves.set(next.path, next.value);
    }
  }
  flattened.set(values, leaves);
  return leaves;
}
