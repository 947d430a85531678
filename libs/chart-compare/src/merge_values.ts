import { isValuesMap, type ValuesMap } from "./parse_values_yaml.ts";

/**
 * The values Helm renders with (its `coalesce`): the user's values over the chart's defaults,
 * maps merged key by key, the user's value winning any other clash, and a user's `null` deleting
 * a key the chart has (a `null` for a key the chart lacks stays null). Neither input is changed.
 */
export function mergeValues(chartDefaults: ValuesMap, userValues: ValuesMap): ValuesMap {
  const merged: ValuesMap = {};
  for (const [key, value] of Object.entries(userValues)) setOwn(merged, key, value);
  for (const [key, chartValue] of Object.entries(chartDefaults)) {
    if (!Object.hasOwn(userValues, key)) {
      setOwn(merged, key, chartValue);
      continue;
    }
    const userValue = userValues[key];
    if (userValue === null) {
      delete merged[key];
    } else if (isValuesMap(userValue) && isValuesMap(chartValue)) {
      setOwn(merged, key, mergeValues(chartValue, userValue));
    }
  }
  return merged;
}

/** Sets an own property, even for `__proto__`, which plain assignment would treat as the prototype. */
function setOwn(target: ValuesMap, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
