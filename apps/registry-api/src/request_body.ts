import express, { type RequestHandler } from "express";
import { InputError } from "@charthouse/errors";
import type { z } from "zod";

/** The largest JSON request body the API reads; a larger one is a 413 `too_large` problem, unread. */
export const maxRequestBodyBytes = 1024 * 1024;

/** Parses JSON request bodies up to maxRequestBodyBytes (strict: objects and arrays only). */
export function jsonRequestBody(): RequestHandler {
  return express.json({ limit: maxRequestBodyBytes, strict: true, type: ["application/json", "application/*+json"] });
}

/** Media types read as a YAML document's text. */
export const yamlMediaTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

/** Reads YAML request bodies as text (UTF-8) under the same limit as JSON: larger is a 413 `too_large` problem, unread. */
export function yamlRequestBody(): RequestHandler {
  return express.text({ limit: maxRequestBodyBytes, type: yamlMediaTypes, defaultCharset: "utf-8" });
}

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
