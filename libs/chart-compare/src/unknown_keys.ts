import { isValuesMap, type ValuesMap } from "./parse_values_yaml.ts";
import { appendValuePath } from "./value_path.ts";

type SchemaNode = Record<string, unknown>;

/** Options of {@link unknownKeys}. */
export interface UnknownKeysOptions {
  /** The chart's parsed values.schema.json, or null. */
  schema: unknown;
  /** Names (and aliases) of the chart's subcharts: their keys are the subcharts' to judge. */
  subcharts: readonly string[];
}

/** Longest key tested against a schema's `patternProperties`, so a chart's regex cannot stall on a huge key. */
const maxPatternKeyLength = 1_000;

/**
 * The keys of a user's values that neither the chart's values.yaml nor its schema has, by dotted
 * path; such a key is silently ignored by the chart. `global` and subchart keys are always known.
 * Under a key, the user's keys are checked when values.yaml lists keys there or the schema lists
 * `properties`/`patternProperties` there, and not when the schema allows any key
 * (`additionalProperties` true or a schema) or neither says what belongs there (`annotations: {}`
 * is a free-form map). Lists are values, never entered. The schema is followed through
 * `properties`, `patternProperties`, `additionalProperties`, `allOf`/`anyOf`/`oneOf` and local `$ref`s.
 */
export function unknownKeys(userValues: ValuesMap, chartValues: ValuesMap, options: UnknownKeysOptions): { path: string }[] {
  const schemas = new SchemaLookup(options.schema);
  const known = new Set(["global", ...options.subcharts]);
  const unknown: { path: string }[] = [];
  // One entry per user key, depth first; children pushed in reverse so the report follows the document.
  type Entry = { path: string; key: string; value: unknown; chart: ValuesMap | undefined; schemas: SchemaNode[] };
  const stack: Entry[] = [];
  const pushChildren = (path: string, user: ValuesMap, chart: ValuesMap | undefined, nodes: SchemaNode[]): void => {
    const keys = Object.keys(user);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i] as string;
      if (path === "" && known.has(key)) continue;
      stack.push({ path: appendValuePath(path, key), key, value: user[key], chart, schemas: nodes });
    }
  };
  pushChildren("", userValues, chartValues, schemas.expand([options.schema]));
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { path, key, value, chart } = next;
    const inChart = chart !== undefined && Object.hasOwn(chart, key);
    const childSchemas = schemas.childrenOf(next.schemas, key);
    if (!inChart && childSchemas === null) {
      unknown.push({ path });
      continue;
    }
    if (!isValuesMap(value)) continue;
    const chartChild = inChart ? chart[key] : undefined;
    const chartLists = isValuesMap(chartChild) && Object.keys(chartChild).length > 0;
    const nodes = childSchemas ?? [];
    if (schemas.allowsAnyKey(nodes) || (!chartLists && !schemas.listsKeys(nodes))) continue;
    pushChildren(path, value, chartLists ? chartChild : undefined, nodes);
  }
  return unknown;
}

/** Reads a schema for the keys it describes, through local references and combinators. */
class SchemaLookup {
  readonly #definitions: Record<string, unknown>;

  constructor(root: unknown) {
    const rootNode = isValuesMap(root) ? root : {};
    this.#definitions = { ...mapOrEmpty(rootNode["definitions"]), ...mapOrEmpty(rootNode["$defs"]) };
  }

  /** The schemas that describe `key` under any of `nodes`, or null when none does. */
  childrenOf(nodes: readonly SchemaNode[], key: string): SchemaNode[] | null {
    const found: unknown[] = [];
    let describedBy = false;
    for (const node of nodes) {
      const properties = node["properties"];
      if (isValuesMap(properties) && Object.hasOwn(properties, key)) {
        found.push(properties[key]);
        describedBy = true;
      }
      const patterns = node["patternProperties"];
      if (isValuesMap(patterns) && key.length <= maxPatternKeyLength) {
        for (const [pattern, schema] of Object.entries(patterns)) {
          if (matches(pattern, key)) {
            found.push(schema);
            describedBy = true;
          }
        }
      }
      const additional = node["additionalProperties"];
      if (additional === true || isValuesMap(additional)) {
        found.push(additional);
        describedBy = true;
      }
    }
    return describedBy ? this.expand(found) : null;
  }

  /** True when one of the schemas takes any key (`additionalProperties` true or a schema). */
  allowsAnyKey(nodes: readonly SchemaNode[]): boolean {
    return nodes.some((node) => node["additionalProperties"] === true || isValuesMap(node["additionalProperties"]));
  }

  /** True when one of the schemas names the keys that belong (`properties` or `patternProperties`). */
  listsKeys(nodes: readonly SchemaNode[]): boolean {
    return nodes.some((node) => isNonEmptyMap(node["properties"]) || isNonEmptyMap(node["patternProperties"]));
  }

  /** The schemas themselves plus those they reach by local `$ref` and `allOf`/`anyOf`/`oneOf`, each once. */
  expand(schemas: readonly unknown[]): SchemaNode[] {
    const result: SchemaNode[] = [];
    const seen = new Set<unknown>();
    const stack = [...schemas];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (!isValuesMap(next) || seen.has(next)) continue;
      seen.add(next);
      result.push(next);
      const ref = next["$ref"];
      const name = typeof ref === "string" ? /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref)?.[1] : undefined;
      if (name !== undefined) stack.push(this.#definitions[name.replaceAll("~1", "/").replaceAll("~0", "~")]);
      for (const combinator of ["allOf", "anyOf", "oneOf"]) {
        const branches = next[combinator];
        if (Array.isArray(branches)) stack.push(...(branches as unknown[]));
      }
    }
    return result;
  }
}

/** Tests a chart's `patternProperties` regex; one that JavaScript cannot compile matches nothing. */
function matches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, "u").test(key);
  } catch {
    return false;
  }
}

function isNonEmptyMap(value: unknown): boolean {
  return isValuesMap(value) && Object.keys(value).length > 0;
}

function mapOrEmpty(value: unknown): Record<string, unknown> {
  return isValuesMap(value) ? value : {};
}
