import { InputError } from "@charthouse/errors";
import { parseLimitedYaml } from "./parse_limited_yaml.ts";
import type { ValuesLimits } from "./values_limits.ts";

/** A values document as plain JSON: a map at the root. */
export type ValuesMap = Record<string, unknown>;

/**
 * Parses a values document (a chart's values.yaml or a user's values file) within `limits`.
 * An empty document is an empty map, as Helm reads it; any other root than a map is refused.
 */
export function parseValuesYaml(text: string, what: string, limits: Readonly<ValuesLimits>): ValuesMap {
  const value = parseLimitedYaml(text, { what, limits });
  if (value === null || value === undefined) return {};
  if (!isValuesMap(value)) {
    const found = Array.isArray(value) ? "a list" : `a ${typeof value}`;
    throw new InputError(`Cannot read ${what}: its top level is ${found}, not a map of keys to values`);
  }
  return value;
}

/** True for a plain JSON object (a YAML map), false for lists, scalars and null. */
export function isValuesMap(value: unknown): value is ValuesMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
