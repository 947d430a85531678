import { ConflictError, InputError, NotFoundError, UnauthorizedError, UnavailableError } from "@charthouse/errors";
import { describe, expect, it } from "vitest";
import { toProblem } from "./problem.ts";

describe("toProblem()", () => {
  it("maps input errors to 422 with their field problems", () => {
    const problem = toProblem(new InputError("bad", { fields: [{ field: "name", message: "must not be empty" }] }));
    expect(problem).toMatchObject({ status: 422, code: "invalid_input", detail: "bad", errors: [{ field: "name", message: "must not be empty" }] });
    expect(problem.type).toMatch(/invalid_input$/);
  });

  it("maps not found, conflict, unauthorized and forbidden", () => {
    expect(toProblem(new NotFoundError("x")).status).toBe(404);
    expect(toProblem(new NotFoundError("x", { code: "not_extracted" })).code).toBe("not_extracted");
    expect(toProblem(new ConflictError("x")).status).toBe(409);
    expect(toProblem(new UnauthorizedError("x")).status).toBe(401);
    expect(toProblem(new UnauthorizedError("x", { code: "forbidden" })).status).toBe(403);
    expect(toProblem(new UnavailableError("x")).code).toBe("unavailable");
  });

  it("maps unavailable dependencies (Postgres refusing connections, NATS away) to 503 unavailable", () => {
    const refused = Object.assign(new Error('too many connections for role "charthouse"'), { code: "53300" });
    const problem = toProblem(new UnavailableError("Postgres is unavailable", { code: "unavailable", cause: refused }));
    expect(problem).toMatchObject({ status: 503, code: "unavailable", detail: "Postgres is unavailable" });
    expect(JSON.stringify(problem)).not.toContain("too many connections");
  });

  it("hides the internals of unexpected errors", () => {
    const problem = toProblem(new Error("password=hunter2 at db.ts:12"));
    expect(problem.status).toBe(500);
    expect(problem.code).toBe("internal");
    expect(JSON.stringify(problem)).not.toContain("hunter2");
  });
});
