import type { ErrorObject } from "ajv";

/** A schema violation, where and what, in the words `helm template` uses. */
export interface SchemaError {
  /** A JSON pointer into the merged values, as Helm prints it (`/image/pullPolicy`; "" is the root). */
  path: string;
  message: string;
}

const countKeywords = new Set(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"]);
const boundKeywords = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);
const groupedKeywords = new Set(["required", "additionalProperties", "dependentRequired", "dependencies"]);

/**
 * Turns Ajv's errors (allErrors, verbose) into the list Helm's validator prints: the same paths,
 * the same sentences for the common keywords (`got string, want integer`, `missing property 'x'`,
 * `value must be one of ...`), Ajv's own sentence otherwise. Like Helm it reports an `if`/`then`
 * by the failing branch's errors, a `oneOf`/`anyOf` by one line (not each alternative), and several
 * missing or extra properties of one object in one line. Sorted by path, then message.
 */
export function helmSchemaErrors(errors: readonly ErrorObject[]): SchemaError[] {
  const combinators = errors.filter((error) => error.keyword === "oneOf" || error.keyword === "anyOf").map((error) => `${error.schemaPath}/`);
  const kept = errors.filter(
    (error) => error.keyword !== "if" && !combinators.some((prefix) => error.schemaPath.startsWith(prefix)),
  );
  const groups = new Map<string, { first: ErrorObject; names: string[] }>();
  const found: SchemaError[] = [];
  for (const error of kept) {
    if (error.keyword === "additionalProperties" && error.schema !== false) continue;
    if (groupedKeywords.has(error.keyword)) {
      const key = `${error.instancePath}\u0000${error.schemaPath}\u0000${String(error.params["property"] ?? "")}`;
      const group = groups.get(key) ?? { first: error, names: [] };
      group.names.push(String(error.params["missingProperty"] ?? error.params["additionalProperty"] ?? ""));
      groups.set(key, group);
      continue;
    }
    found.push(singleError(error));
  }
  for (const { first, names } of groups.values()) found.push(groupedError(first, names));
  const unique = new Map(found.map((error) => [`${error.path}\u0000${error.message}`, error]));
  return [...unique.values()].sort((a, b) => (a.path === b.path ? compareText(a.message, b.message) : compareText(a.path, b.path)));
}

function singleError(error: ErrorObject): SchemaError {
  const { keyword, params, instancePath: path } = error;
  const data: unknown = error.data;
  if (keyword === "type") return { path, message: `got ${jsonType(data)}, want ${typesOf(params["type"])}` };
  if (keyword === "enum") return { path, message: `value must be one of ${listOf(error.schema).map(quoted).join(", ")}` };
  if (keyword === "const") return { path, message: `value must be ${quoted(error.schema)}` };
  if (keyword === "false schema") return { path, message: "false schema" };
  if (keyword === "not") return { path, message: "'not' failed" };
  if (keyword === "anyOf") return { path, message: "'anyOf' failed" };
  if (keyword === "oneOf") {
    const passing: unknown = params["passingSchemas"];
    return Array.isArray(passing)
      ? { path, message: `'oneOf' failed, subschemas ${passing.join(", ")} matched` }
      : { path, message: "'oneOf' failed, none matched" };
  }
  if (keyword === "pattern") return { path, message: `${quoted(data)} does not match pattern ${quoted(params["pattern"])}` };
  if (keyword === "uniqueItems") {
    const [low, high] = [Number(params["j"]), Number(params["i"])].sort((a, b) => a - b);
    return { path, message: `items at ${low} and ${high} are equal` };
  }
  if (keyword === "unevaluatedProperties" && error.schema === false) {
    return { path: `${path}/${pointerToken(String(params["unevaluatedProperty"]))}`, message: "false schema" };
  }
  if (boundKeywords.has(keyword)) return { path, message: `${keyword}: got ${number(data)}, want ${number(error.schema)}` };
  if (countKeywords.has(keyword)) return { path, message: `${keyword}: got ${number(countOf(data))}, want ${number(error.schema)}` };
  return { path, message: error.message ?? keyword };
}

function groupedError(first: ErrorObject, names: readonly string[]): SchemaError {
  const path = first.instancePath;
  const list = names.map((name) => quoted(name)).join(", ");
  if (first.keyword === "required") {
    return { path, message: `missing ${names.length === 1 ? "property" : "properties"} ${list}` };
  }
  if (first.keyword === "additionalProperties") {
    return { path, message: `additional properties ${[...names].sort().map((name) => quoted(name)).join(", ")} not allowed` };
  }
  return { path, message: `properties ${list} required, if ${quoted(String(first.params["property"]))} exists` };
}

/** JSON's name for a value's type, as Helm's validator names it (an integer is a `number`). */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

function typesOf(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : String(type).split(",");
  return types.sort().join(" or ");
}

/** Strings in single quotes, null as Go prints it, anything else as JSON. */
function quoted(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === null || value === undefined) return "<nil>";
  return JSON.stringify(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The size a count keyword measures: characters (code points) of a string, items, or keys. */
function countOf(data: unknown): number {
  if (typeof data === "string") return [...data].length;
  if (Array.isArray(data)) return data.length;
  return typeof data === "object" && data !== null ? Object.keys(data).length : 0;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 20 });

/** Numbers with thousands separators, as Helm's validator prints them (`70,000`). */
function number(value: unknown): string {
  return typeof value === "number" ? numberFormat.format(value) : String(value);
}

function pointerToken(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
