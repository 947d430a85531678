import { InputError } from "@charthouse/errors";
import { isValuesMap } from "./parse_values_yaml.ts";
import { appendValuePath } from "./value_path.ts";

type SchemaNode = Record<string, unknown>;

/** Bounds on walking a schema: its properties, items and the local references it follows. */
const maxSchemaDepth = 100;
const maxSchemaNodes = 200_000;

/**
 * Walks already made, by parsed schema: a schema kept by its caller (a cache of versions) is walked
 * once. Parsed schemas are never changed, so a walk stays true of its schema.
 */
const walked = new WeakMap<object, ReadonlyMap<string, SchemaNode>>();

/**
 * The property schemas of a JSON schema by dotted values path, in document order; the root is at
 * path "". What it follows, and nothing else: `properties` (a key of the values), `items` when it
 * is one schema (path `list[]`, so `hosts[].name`), and `$ref` to a local `#/$defs/...` or
 * `#/definitions/...` (one level of JSON pointer, followed once per chain so recursive schemas end).
 * `allOf`/`anyOf`/`oneOf`, `patternProperties`, remote references and tuple `items` are not walked.
 */
export function schemaProperties(schema: unknown, what: string): ReadonlyMap<string, SchemaNode> {
  if (!isValuesMap(schema)) return new Map();
  const known = walked.get(schema);
  if (known !== undefined) return known;
  const found = new Map<string, SchemaNode>();
  const definitions = { ...mapOrEmpty(schema["definitions"]), ...mapOrEmpty(schema["$defs"]) };
  // Children are pushed in reverse so the stack pops them in document order.
  const stack: { path: string; node: unknown; depth: number; refs: readonly string[] }[] = [
    { path: "", node: schema, depth: 0, refs: [] },
  ];
  let visited = 0;
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    visited += 1;
    if (visited > maxSchemaNodes || next.depth > maxSchemaDepth) {
      throw new InputError(`Cannot compare ${what}: it describes more than ${maxSchemaDepth} levels or ${maxSchemaNodes} properties`);
    }
    const { node, refs } = resolveLocalRef(next.node, definitions, next.refs);
    if (node === null) continue;
    if (!found.has(next.path)) found.set(next.path, node);
    const children: { path: string; node: unknown }[] = [];
    const properties = node["properties"];
    if (isValuesMap(properties)) {
      for (const [key, child] of Object.entries(properties)) children.push({ path: appendValuePath(next.path, key), node: child });
    }
    if (isValuesMap(node["items"])) children.push({ path: `${next.path}[]`, node: node["items"] });
    for (let i = children.length - 1; i >= 0; i -= 1) {
      const child = children[i] as { path: string; node: unknown };
      stack.push({ ...child, depth: next.depth + 1, refs });
    }
  }
  walked.set(schema, found);
  return found;
}

/** Follows `$ref`s to local definitions (sibling keywords of a `$ref` win, as in 2020-12). */
function resolveLocalRef(
  node: unknown,
  definitions: Record<string, unknown>,
  refs: readonly string[],
): { node: SchemaNode | null; refs: readonly string[] } {
  if (!isValuesMap(node)) return { node: null, refs };
  let current: SchemaNode = node;
  let chain = refs;
  // Each hop adds a reference to the chain and none is followed twice, so this ends.
  for (;;) {
    const ref = current["$ref"];
    if (typeof ref !== "string" || chain.includes(ref)) return { node: current, refs: chain };
    const name = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : definitions[decodePointerToken(name)];
    if (!isValuesMap(target)) return { node: current, refs: chain };
    const { $ref: _ref, ...siblings } = current;
    current = { ...target, ...siblings };
    chain = [...chain, ref];
  }
}

function decodePointerToken(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // A stray % is a literal character of the name, as a JSON pointer reads it.
  }
  return decoded.replaceAll("~1", "/").replaceAll("~0", "~");
}

function mapOrEmpty(value: unknown): Record<string, unknown> {
  return isValuesMap(value) ? value : {};
}
