/** One property of a values schema, as the schema tree shows it. */
export interface SchemaNode {
  /** The property name ("[]" for array items, "{}" for additional properties). */
  name: string;
  /** The dotted path from the root, as one would write it in --set. */
  path: string;
  types: string[];
  required: boolean;
  description: string | null;
  /** The default, as JSON text; null when the schema gives none. */
  defaultText: string | null;
  enumValues: string[] | null;
  /** Other constraints worth seeing: pattern, minimum, format... as "key: value". */
  constraints: string[];
  deprecated: boolean;
  children: SchemaNode[];
  /** Set when the children were cut: a $ref cycle, too deep, or too many nodes. */
  truncated: string | null;
}

const maxDepth = 12;
const maxNodes = 5_000;
const constraintKeys = [
  "format",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "const",
] as const;

type Schema = Record<string, unknown>;

/**
 * Turns a JSON Schema (values.schema.json, drafts 4 to 2020-12) into a tree of properties with
 * type, default, description and constraints. Local `$ref`s (#/definitions/..., #/$defs/...) are
 * followed, allOf/anyOf/oneOf contribute their properties, cycles and huge schemas are cut.
 */
export function schemaTree(schema: unknown): SchemaNode {
  const root = isSchema(schema) ? schema : {};
  const budget = { nodes: 0 };
  return node(root, root, { name: "values", path: "", required: false, depth: 0, seen: new Set(), budget });
}

interface Walk {
  name: string;
  path: string;
  required: boolean;
  depth: number;
  seen: Set<string>;
  budget: { nodes: number };
}

function node(root: Schema, raw: Schema, walk: Walk): SchemaNode {
  walk.budget.nodes += 1;
  const { schema, refs, cycle } = resolve(root, raw, walk.seen);
  const variants = [schema, ...subschemas(root, schema, refs)];
  const result: SchemaNode = {
    name: walk.name,
    path: walk.path,
    types: typesOf(variants),
    required: walk.required,
    description: firstString(variants, "description") ?? firstString(variants, "title"),
    defaultText: defaultOf(variants),
    enumValues: enumOf(variants),
    constraints: constraintsOf(variants),
    deprecated: variants.some((v) => v["deprecated"] === true),
    children: [],
    truncated: cycle ? `refers to itself (${cycle})` : null,
  };
  if (cycle) return result;
  const childWalk = (name: string, path: string, required: boolean): Walk => ({
    name,
    path,
    required,
    depth: walk.depth + 1,
    seen: refs,
    budget: walk.budget,
  });
  const properties = new Map<string, Schema>();
  const required = new Set<string>();
  const items: Schema[] = [];
  const additional: Schema[] = [];
  for (const variant of variants) {
    const props = variant["properties"];
    if (isSchema(props)) {
      for (const [key, value] of Object.entries(props)) if (isSchema(value) && !properties.has(key)) properties.set(key, value);
    }
    const req = variant["required"];
    if (Array.isArray(req)) for (const r of req) if (typeof r === "string") required.add(r);
    const item = variant["items"];
    if (isSchema(item)) items.push(item);
    const more = variant["additionalProperties"];
    if (isSchema(more) && Object.keys(more).length > 0) additional.push(more);
  }
  const hasChildren = properties.size > 0 || items.length > 0 || additional.length > 0;
  if (!hasChildren) return result;
  if (walk.depth >= maxDepth || walk.budget.nodes >= maxNodes) {
    result.truncated = walk.depth >= maxDepth ? "nested too deeply to show" : "too many properties to show";
    return result;
  }
  // Alphabetical: the API keeps the schema as jsonb, which does not keep the author's key order.
  const sorted = [...properties].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, value] of sorted) {
    if (walk.budget.nodes >= maxNodes) {
      result.truncated = "too many properties to show";
      break;
    }
    result.children.push(node(root, value, childWalk(key, joinPath(walk.path, key), required.has(key))));
  }
  const firstItem = items[0];
  if (firstItem) result.children.push(node(root, firstItem, childWalk("[]", `${walk.path}[]`, false)));
  const firstAdditional = additional[0];
  if (firstAdditional) result.children.push(node(root, firstAdditional, childWalk("{}", joinPath(walk.path, "*"), false)));
  return result;
}

/** Follows $ref chains within the document; reports a cycle instead of looping. */
function resolve(root: Schema, raw: Schema, seen: Set<string>): { schema: Schema; refs: Set<string>; cycle: string | null } {
  let schema = raw;
  const refs = new Set(seen);
  for (let hops = 0; hops < 32; hops++) {
    const ref = schema["$ref"];
    if (typeof ref !== "string") break;
    if (refs.has(ref)) return { schema, refs, cycle: ref };
    refs.add(ref);
    const target = pointer(root, ref);
    if (target === null) break;
    // Sibling keywords of $ref (2019-09+) add to what the target says.
    const { $ref: _ignored, ...siblings } = schema;
    schema = { ...target, ...siblings };
  }
  return { schema, refs, cycle: null };
}

function subschemas(root: Schema, schema: Schema, refs: Set<string>): Schema[] {
  const out: Schema[] = [];
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const entry of list) if (isSchema(entry)) out.push(resolve(root, entry, refs).schema);
  }
  return out;
}

function pointer(root: Schema, ref: string): Schema | null {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return null;
  let current: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isSchema(current)) return null;
    current = current[part];
  }
  return isSchema(current) ? current : null;
}

function typesOf(variants: Schema[]): string[] {
  const types = new Set<string>();
  for (const v of variants) {
    const t = v["type"];
    if (typeof t === "string") types.add(t);
    else if (Array.isArray(t)) for (const x of t) if (typeof x === "string") types.add(x);
  }
  if (types.size === 0) {
    if (variants.some((v) => isSchema(v["properties"]))) types.add("object");
    else if (variants.some((v) => v["items"] !== undefined)) types.add("array");
  }
  return [...types];
}

function defaultOf(variants: Schema[]): string | null {
  for (const v of variants) if ("default" in v) return JSON.stringify(v["default"]) ?? null;
  return null;
}

function enumOf(variants: Schema[]): string[] | null {
  for (const v of variants) {
    const e = v["enum"];
    if (Array.isArray(e)) return e.map((x) => JSON.stringify(x) ?? String(x));
  }
  return null;
}

function constraintsOf(variants: Schema[]): string[] {
  const out: string[] = [];
  for (const key of constraintKeys) {
    const v = variants.find((x) => x[key] !== undefined)?.[key];
    if (v !== undefined) out.push(`${key}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  return out;
}

function firstString(variants: Schema[], key: string): string | null {
  for (const v of variants) {
    const s = v[key];
    if (typeof s === "string" && s.trim() !== "") return s;
  }
  return null;
}

function joinPath(parent: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) || key === "*" ? key : JSON.stringify(key);
  return parent === "" ? part : `${parent}.${part}`;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
