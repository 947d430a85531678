import { createHash } from "node:crypto";
import { Ajv, type Options, type ValidateFunction } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";

/** A values.schema.json compiled for validation, or why it cannot be used. */
export type CompiledSchema = { validate: ValidateFunction; problem: null } | { validate: null; problem: string };

/** The JSON Schema dialects a chart's schema is read in, chosen by its `$schema` as Helm does. */
export type SchemaDialect = "draft-07" | "2019-09" | "2020-12";

/**
 * The dialect of a schema: 2020-12 when `$schema` is absent (Helm's validator defaults to it),
 * 2019-09 or 2020-12 when it says so, and draft-07 for the draft-04, -06 and -07 URIs (draft-04's
 * boolean `exclusiveMinimum` is not supported).
 */
export function schemaDialect(schema: unknown): SchemaDialect {
  const uri = typeof schema === "object" && schema !== null ? (schema as Record<string, unknown>)["$schema"] : undefined;
  if (typeof uri !== "string") return "2020-12";
  if (uri.includes("2019-09")) return "2019-09";
  if (/draft-0[467]|json-schema\.org\/schema/.test(uri)) return "draft-07";
  return "2020-12";
}

const options: Options = {
  allErrors: true,
  verbose: true,
  // Charts' schemas carry unknown keywords and `$schema` URIs Ajv has no copy of: read, do not judge.
  strict: false,
  validateSchema: false,
  // Helm asserts `format` under draft-07 (not 2020-12); Ajv has no formats without ajv-formats, so none are checked.
  validateFormats: false,
  allowUnionTypes: true,
  // Nothing is fetched: a remote `$ref` makes the schema unusable, reported as such.
  addUsedSchema: false,
};

/** Compiled schemas by a digest of their JSON text: a chart's schema is compiled once, not per request. */
const compiled = new Map<string, CompiledSchema>();
const maxCompiled = 32;

/** Compiles a parsed values.schema.json (cached by content); a schema Ajv cannot compile gives its problem. */
export function compileValuesSchema(schema: unknown): CompiledSchema {
  const key = createHash("sha256").update(JSON.stringify(schema) ?? "undefined").digest("base64");
  const cached = compiled.get(key);
  if (cached !== undefined) {
    // Re-inserting keeps the map in least-recently-used order.
    compiled.delete(key);
    compiled.set(key, cached);
    return cached;
  }
  const result = compile(schema);
  compiled.set(key, result);
  if (compiled.size > maxCompiled) {
    const oldest = compiled.keys().next().value;
    if (oldest !== undefined) compiled.delete(oldest);
  }
  return result;
}

function compile(schema: unknown): CompiledSchema {
  if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
    return { validate: null, problem: "values.schema.json is not a JSON object" };
  }
  // One Ajv per schema, so that evicting it from the cache frees everything Ajv kept of it.
  const dialect = schemaDialect(schema);
  const ajv = dialect === "2020-12" ? new Ajv2020(options) : dialect === "2019-09" ? new Ajv2019(options) : new Ajv(options);
  try {
    return { validate: ajv.compile(schema), problem: null };
  } catch (err) {
    return { validate: null, problem: `Cannot use values.schema.json: ${(err as Error).message}` };
  }
}
