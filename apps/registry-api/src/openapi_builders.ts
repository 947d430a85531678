/**
 * Builders of the OpenAPI document (openapi.ts): the schema and parameter shapes every route
 * shares, in the API's conventions (problem+json errors, cursor pages).
 */
/** A JSON Schema / OpenAPI schema object (the subset this document uses). */
export interface SchemaObject {
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: readonly (string | number | null)[];
  properties?: Record<string, SchemaObject>;
  required?: readonly string[];
  items?: SchemaObject;
  additionalProperties?: boolean | SchemaObject;
  oneOf?: readonly SchemaObject[];
  allOf?: readonly SchemaObject[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
}

export type ParameterObject = { name: string; in: "path" | "query" | "header"; required: boolean; description?: string; schema: SchemaObject };
export type ResponseObject = { description: string; content?: Record<string, { schema: SchemaObject }>; headers?: Record<string, { schema: SchemaObject }> };
export type OperationObject = {
  operationId: string;
  summary: string;
  tags: string[];
  /** Set where an operation is served outside the document's server (/api/v1). */
  servers?: { url: string; description?: string }[];
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, { schema: SchemaObject }> };
  responses: Record<string, ResponseObject>;
};

export const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
export const str = (description?: string): SchemaObject => ({ type: "string", ...(description ? { description } : {}) });
export const nullable = (type: string, extra: SchemaObject = {}): SchemaObject => ({ type: [type, "null"], ...extra });
export const time: SchemaObject = { type: "string", format: "date-time" };
export const nullableTime: SchemaObject = { type: ["string", "null"], format: "date-time" };
export const uuid: SchemaObject = { type: "string", format: "uuid" };
export const int: SchemaObject = { type: "integer" };
export const object = (properties: Record<string, SchemaObject>, required: readonly string[] = Object.keys(properties)): SchemaObject => ({
  type: "object",
  properties,
  required,
});
export const json = (schema: SchemaObject): Record<string, { schema: SchemaObject }> => ({ "application/json": { schema } });
export const problem = (description: string): ResponseObject => ({
  description,
  content: { "application/problem+json": { schema: ref("Problem") } },
});
export const page = (item: string): SchemaObject => object({ items: { type: "array", items: ref(item) }, next_cursor: nullable("string") });

export const idParam = (what: string): ParameterObject => ({ name: "id", in: "path", required: true, description: `The ${what}'s id`, schema: uuid });
export const nameParam: ParameterObject = { name: "name", in: "path", required: true, description: "The chart's name (URL-encoded)", schema: str() };
export const versionParam: ParameterObject = {
  name: "version",
  in: "path",
  required: true,
  description: "The version, URL-encoded (versions may contain +)",
  schema: str(),
};
export const pageParams: ParameterObject[] = [
  { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 500, default: 100 } },
  { name: "cursor", in: "query", required: false, description: "next_cursor of the previous page", schema: str() },
];

export const errors = {
  401: problem("Missing, unknown, revoked or expired token (code unauthorized)"),
  403: problem("The token lacks the scope (code forbidden)"),
  404: problem("No such object in this organisation (code not_found)"),
  422: problem("Invalid input (code invalid_input or invalid_reference) with the field problems in errors"),
} as const;

/** One operation: its id, summary and tag, with the 401 and 403 every authenticated route answers. */
export function op(operationId: string, summary: string, tag: string, responses: Record<string, ResponseObject>, extra: Partial<OperationObject> = {}): OperationObject {
  return { operationId, summary, tags: [tag], ...extra, responses: { ...responses, 401: errors[401], 403: errors[403] } };
}
