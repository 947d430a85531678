import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { redactedPaths } from "./logger.ts";

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
