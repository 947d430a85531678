import type { ProblemJson } from "@charthouse/api-types";
import type { NextFunction, Request, Response } from "express";
import {
  CharthouseError,
  ConflictError,
  errorCodes,
  InputError,
  isErrorCode,
  NotFoundError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
} from "@charthouse/errors";
import type { Logger } from "@charthouse/logging";

/** The media type of problem documents. */
export const problemMediaType = "application/problem+json";

/**
 * The one place that maps Charthouse's errors to HTTP: input 422, not found 404, conflict 409,
 * unauthorized 401 (forbidden 403), too large 413, unavailable 503; anything else is a 500 that
 * leaks nothing of its internals.
 */
export function toProblem(err: unknown): ProblemJson {
  if (err instanceof InputError) {
    return build(422, err, { errors: err.fields.map((f) => ({ field: f.field, message: f.message })) });
  }
  if (err instanceof NotFoundError) return build(404, err);
  if (err instanceof ConflictError) return build(409, err);
  if (err instanceof UnauthorizedError) return build(err.code === "forbidden" ? 403 : 401, err);
  if (err instanceof TooLargeError) return build(413, err);
  if (err instanceof UnavailableError) return build(503, err, { code: "unavailable" });
  return {
    type: problemType("internal"),
    title: errorCodes.internal.title,
    status: 500,
    detail: "The request failed because of an internal error",
    code: "internal",
    solution: errorCodes.internal.solution,
  };
}

function build(
  status: number,
  err: CharthouseError,
  extra: { errors?: { field: string; message: string }[]; code?: string } = {},
): ProblemJson {
  const code = extra.code ?? err.code;
  const problem: ProblemJson = {
    type: problemType(code),
    title: isErrorCode(code) ? errorCodes[code].title : code,
    status,
    detail: err.message,
    code,
    solution:
      extra.code !== undefined && extra.code !== err.code && isErrorCode(extra.code) ? errorCodes[extra.code].solution : err.solution,
  };
  if (typeof err.cause === "string") problem.cause = err.cause;
  if (extra.errors !== undefined && extra.errors.length > 0) problem.errors = extra.errors;
  return problem;
}

/** The problem type URI of a code. */
export function problemType(code: string): string {
  return `https://charthouse.dev/problems/${code}`;
}

/** How a 401 asks for credentials: the API wants a bearer token, the Helm repositories Basic (as helm sends). */
export interface ProblemOptions {
  /** The WWW-Authenticate challenge of a 401 (default `Bearer realm="charthouse"`). */
  challenge?: string;
}

/**
 * Seconds a client is asked to wait before retrying a 503: a dependency that went away (Postgres
 * restarting, NATS reconnecting) is mostly back within a few seconds. A route that knows better
 * (the event stream cap) sets its own.
 */
export const unavailableRetryAfterSeconds = 5;

/** Sends an error as a problem document. */
export function sendProblem(res: Response, err: unknown, options: ProblemOptions = {}): void {
  const problem = toProblem(err);
  if (problem.status === 401) res.set("WWW-Authenticate", options.challenge ?? 'Bearer realm="charthouse"');
  if (problem.status === 503 && !res.get("Retry-After")) res.set("Retry-After", String(unavailableRetryAfterSeconds));
  res.status(problem.status).type(problemMediaType).send(JSON.stringify(problem));
}

/**
 * The express error handler of the API: body-parser failures become 422 (malformed JSON) or 413
 * (over the size limit); Charthouse errors are mapped; anything unexpected is logged and is a 500.
 */
export function problemHandler(log: Logger, options: ProblemOptions = {}): (err: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const bodyError = fromBodyParser(err);
    if (bodyError) {
      sendProblem(res, bodyError, options);
      return;
    }
    if (!(err instanceof CharthouseError) || toProblem(err).status >= 500) {
      log.error({ err, method: req.method, path: req.path }, "Request failed");
    }
    sendProblem(res, err, options);
  };
}

function fromBodyParser(err: unknown): CharthouseError | undefined {
  if (typeof err !== "object" || err === null || !("type" in err)) return undefined;
  const type = (err as { type: unknown }).type;
  if (type === "entity.parse.failed") {
    return new InputError("The request body is not valid JSON", {
      fields: [{ field: "body", message: "must be valid JSON" }],
    });
  }
  if (type === "entity.too.large") {
    return new TooLargeError("The request body is larger than 1 MB", {
      setting: "the request body limit",
      solution: "Send a request body of at most 1 MB",
    });
  }
  if (type === "encoding.unsupported" || type === "charset.unsupported") {
    return new InputError("The request body's encoding is not supported", {
      fields: [{ field: "body", message: "must be UTF-8 JSON" }],
    });
  }
  return undefined;
}
