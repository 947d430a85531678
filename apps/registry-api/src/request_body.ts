import { InputError } from "@charthouse/errors";
import type { z } from "zod";

/** Validates a JSON request body against a schema; every field problem is reported in one 422. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InputError("The request body must be a JSON object (Content-Type: application/json)", {
      fields: [{ field: "body", message: "must be a JSON object" }],
    });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join(".") : "body",
    message: issue.message,
  }));
  throw new InputError(`Invalid request: ${fields.map((f) => `${f.field} ${f.message}`).join("; ")}`, { fields });
}
