import { QueryFailedError } from "typeorm";
import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable, isUniqueViolation } from "./pg_errors.ts";

// What pg rejects with: an Error carrying Postgres's SQLSTATE (or Node's socket code) as `code`.
function pgError(code: string, message = "failed"): Error {
  return Object.assign(new Error(message), { code });
}

describe("isDatabaseUnavailable()", () => {
  it("is true when Postgres refuses connections: too many, starting up, shutting down, out of resources", () => {
    for (const code of ["53300", "53000", "53100", "53200", "53400", "57P01", "57P02", "57P03"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
  });

  it("is true for every connection exception (SQLSTATE class 08)", () => {
    for (const code of ["08000", "08001", "08003", "08004", "08006", "08P01"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
  });

  it("is true when the socket cannot be opened or breaks, or the pool gives up waiting", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(true);
  });

  it("is false for errors of the statement itself, which a retry repeats", () => {
    // syntax, undefined table, unique and foreign-key violations, division by zero, NUL in text,
    // serialization failure, query canceled, other 57P codes, and no code at all
    for (const code of ["42601", "42P01", "23505", "23503", "22012", "22021", "40001", "57014", "57P04", "5300", "530000"]) {
      expect(isDatabaseUnavailable(pgError(code)), code).toBe(false);
    }
    expect(isDatabaseUnavailable(new Error("relation \"x\" does not exist"))).toBe(false);
    expect(isDatabaseUnavailable("53300")).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it("reads the SQLSTATE TypeORM keeps on its QueryFailedError (migrations)", () => {
    const refused = new QueryFailedError("SELECT 1", [], pgError("53300", "sorry, too many clients already"));
    expect(isDatabaseUnavailable(refused)).toBe(true);
    const duplicate = new QueryFailedError("INSERT", [], pgError("23505", "duplicate key value"));
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isUniqueViolation(duplicate)).toBe(true);
  });
});
