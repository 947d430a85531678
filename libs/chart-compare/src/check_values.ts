import { type ComparedVersion, readComparedVersion } from "./compared_version.ts";
import { helmSchemaErrors, type SchemaError } from "./helm_schema_errors.ts";
import { mergeValues } from "./merge_values.ts";
import { isValuesMap, parseValuesYaml } from "./parse_values_yaml.ts";
import { compileValuesSchema } from "./schema_validator.ts";
import { unknownKeys } from "./unknown_keys.ts";
import { chartValuesLimits, userValuesLimits, type ValuesLimits } from "./values_limits.ts";

/** What a user's values file would do to a chart version, in the API's JSON shape. */
export interface ValuesCheck {
  /** Keys the chart would silently ignore (see unknownKeys), by dotted path. */
  unknown_keys: { path: string }[];
  /** What the chart's values.schema.json refuses, at the paths `helm template --values` prints. */
  schema_errors: SchemaError[];
}

/** Options of {@link checkValues}. */
export interface CheckValuesOptions {
  /** Limits on the user's file (default: 1 MiB, 100 levels). */
  userLimits?: Readonly<ValuesLimits>;
  /** Limits on the chart's own values.yaml. */
  chartLimits?: Readonly<ValuesLimits>;
}

/**
 * Checks a user's values file against a chart version: keys the chart does not know, and the
 * schema's verdict on the user's values merged over the chart's defaults as Helm merges them
 * (JSON Schema draft-07, 2019-09 or 2020-12 by `$schema`). Only the chart's own schema is
 * applied, not its subcharts'. Throws TooLargeError (too_large) for a file over the limit and
 * InputError (invalid_input) for invalid YAML, an alias bomb or nesting over 100 levels.
 */
export function checkValues(userValuesYaml: string, chart: ComparedVersion, options: CheckValuesOptions = {}): ValuesCheck {
  const user = parseValuesYaml(userValuesYaml, "the values file", options.userLimits ?? userValuesLimits);
  const defaults = readComparedVersion(chart, options.chartLimits ?? chartValuesLimits).values;
  const unknown = unknownKeys(user, defaults, { schema: chart.valuesSchema, subcharts: subchartNames(chart.chartYaml) });
  if (chart.valuesSchema === null || chart.valuesSchema === undefined) return { unknown_keys: unknown, schema_errors: [] };
  const compiled = compileValuesSchema(chart.valuesSchema);
  if (compiled.validate === null) {
    // Helm refuses to install with a schema it cannot use; the user should know before trying.
    return { unknown_keys: unknown, schema_errors: [{ path: "", message: compiled.problem }] };
  }
  const merged = mergeValues(defaults, user);
  const valid = compiled.validate(merged);
  return { unknown_keys: unknown, schema_errors: valid ? [] : helmSchemaErrors(compiled.validate.errors ?? []) };
}

/** The keys under which a chart's subcharts take their values: each dependency's alias, else its name. */
function subchartNames(chartYaml: unknown): string[] {
  const dependencies = isValuesMap(chartYaml) ? chartYaml["dependencies"] : undefined;
  if (!Array.isArray(dependencies)) return [];
  const names: string[] = [];
  for (const dependency of dependencies) {
    if (!isValuesMap(dependency)) continue;
    for (const field of ["name", "alias"]) {
      const value = dependency[field];
      if (typeof value === "string" && value !== "") names.push(value);
    }
  }
  return names;
}
