import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { redactedPaths, serializeError } from "./logger.ts";

describe("redactedPaths", () => {
  it("keeps passwords, tokens and authorization headers out of log lines", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: { paths: [...redactedPaths], censor: "[redacted]" } }, sink);
    log.info({ credential: { secret: "s3cr3t" }, request: { headers: { authorization: "Bearer abc" } }, password: "pw" }, "x");
    const text = lines.join("");
    expect(text).not.toContain("s3cr3t");
    expect(text).not.toContain("Bearer abc");
    expect(text).not.toContain('"pw"');
    expect(text).toContain("[redacted]");
  });
});

describe("serializeError()", () => {
  it("writes Charthouse's own errors as code, message and causes, without a stack", () => {
    const cause = new Error("ECONNREFUSED 127.0.0.1:5432");
    const own = Object.assign(new Error("Postgres is unavailable", { cause }), { code: "unavailable", solution: "Retry shortly" });
    own.name = "UnavailableError";
    expect(serializeError(own)).toEqual({
      type: "UnavailableError",
      code: "unavailable",
      message: "Postgres is unavailable",
      cause: "ECONNREFUSED 127.0.0.1:5432",
    });
  });

  it("keeps the stack of any other error (a bug)", () => {
    expect(serializeError(new TypeError("x is undefined"))).toMatchObject({ type: "TypeError", message: "x is undefined", stack: expect.stringContaining("TypeError") });
  });
});
