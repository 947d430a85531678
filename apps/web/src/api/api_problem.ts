import type { ProblemJson } from "@charthouse/api-types";

/** An RFC 9457 problem document as the API answers errors (or as made up for a network failure, without a type). */
export type ProblemDocument = Omit<ProblemJson, "type"> & { type?: string };

/** A failed API call, carrying the problem document (or one made up for a network failure). */
export class ApiProblem extends Error {
  readonly problem: ProblemDocument;

  constructor(problem: ProblemDocument, options?: { cause?: unknown }) {
    super(`${problem.title}: ${problem.detail}`, options);
    this.name = "ApiProblem";
    this.problem = problem;
  }

  /** The HTTP status (0 when the API could not be reached). */
  get status(): number {
    return this.problem.status;
  }

  /** The stable snake_case error code. */
  get code(): string {
    return this.problem.code;
  }

  /** The message of one field of a 422, if the API named it. */
  fieldError(field: string): string | undefined {
    return this.problem.errors?.find((e) => e.field === field)?.message;
  }
}

/** Reads a problem document from a failed response, or makes one from its status and text. */
export function problemFromBody(status: number, statusText: string, body: string): ProblemDocument {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isProblem(parsed)) return parsed;
  } catch {
    // Not JSON: a proxy's page, say. Described below from the status alone.
  }
  return {
    title: statusText || `HTTP ${status}`,
    status,
    detail: body.trim().slice(0, 300) || `The server answered ${status}`,
    code: status === 401 ? "unauthorized" : status === 404 ? "not_found" : "http_error",
  };
}

function isProblem(value: unknown): value is ProblemDocument {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v["status"] === "number" && typeof v["code"] === "string" && typeof v["detail"] === "string";
}
