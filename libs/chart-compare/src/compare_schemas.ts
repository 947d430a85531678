import { jsonEqual } from "./json_equal.ts";
import { schemaProperties } from "./schema_properties.ts";

/** The schema keywords whose changes are reported: what a user's values must now look like. */
export const comparedSchemaFields = ["type", "enum", "default", "required"] as const;

/** One of {@link comparedSchemaFields}. */
export type ComparedSchemaField = (typeof comparedSchemaFields)[number];

/** How two values.schema.json documents differ, by dotted property path ("" is the root). */
export interface SchemaDiff {
  added: { path: string }[];
  removed: { path: string }[];
  /** `old`/`new` are null where the keyword is absent. */
  changed: { path: string; field: ComparedSchemaField; old: unknown; new: unknown }[];
}

/**
 * Compares two parsed values.schema.json documents (null when a version has none). A property
 * that appears or disappears is reported once, at its top, not once per nested property; for
 * properties in both, `type`, `enum`, `default` and `required` changes are reported (a type list
 * and `required` compare as sets). What is walked is described at schemaProperties.
 */
export function compareSchemas(fromSchema: unknown, toSchema: unknown): SchemaDiff {
  const from = schemaProperties(fromSchema, 'values.schema.json of the "from" version');
  const to = schemaProperties(toSchema, 'values.schema.json of the "to" version');
  const diff: SchemaDiff = { added: [], removed: [], changed: [] };
  for (const path of from.keys()) {
    // The root is never added or removed: a schema that appears adds its properties.
    if (path !== "" && !to.has(path) && !hasAncestorIn(path, from, to)) diff.removed.push({ path });
  }
  for (const [path, toNode] of to) {
    const fromNode = from.get(path);
    if (fromNode === undefined) {
      if (path !== "" && !hasAncestorIn(path, to, from)) diff.added.push({ path });
      continue;
    }
    for (const field of comparedSchemaFields) {
      const before = fieldValue(fromNode, field);
      const after = fieldValue(toNode, field);
      if (!jsonEqual(comparable(field, before), comparable(field, after))) {
        diff.changed.push({ path, field, old: before, new: after });
      }
    }
  }
  return diff;
}

/** True when a proper ancestor of `path` is in `side` but not in `other`: the change is reported there. */
function hasAncestorIn(path: string, side: ReadonlyMap<string, unknown>, other: ReadonlyMap<string, unknown>): boolean {
  for (const ancestor of ancestorsOf(path, side)) {
    if (!other.has(ancestor)) return true;
  }
  return false;
}

/** The proper ancestors of `path` among the paths of `side` (a path's ancestors are prefixes of it). */
function ancestorsOf(path: string, side: ReadonlyMap<string, unknown>): string[] {
  const ancestors: string[] = [];
  for (let end = path.length - 1; end > 0; end -= 1) {
    const char = path[end];
    if (char !== "." && char !== "[") continue;
    const prefix = path.slice(0, end);
    if (side.has(prefix)) ancestors.push(prefix);
  }
  return ancestors;
}

function fieldValue(node: Record<string, unknown>, field: ComparedSchemaField): unknown {
  return Object.hasOwn(node, field) ? node[field] : null;
}

/** Order does not matter in a list of types or of required properties, and `"string"` is `["string"]`. */
function comparable(field: ComparedSchemaField, value: unknown): unknown {
  if (field === "type" && typeof value === "string") return [JSON.stringify(value)];
  if ((field === "type" || field === "required") && Array.isArray(value)) {
    return [...new Set(value.map((item) => JSON.stringify(item)))].sort();
  }
  return value;
}
