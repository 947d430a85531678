import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryAfterFromHeaders } from "./retry_after.ts";

const now = Date.parse("2025-01-01T00:00:00Z");

describe("parseRetryAfter()", () => {
  it("reads delta seconds", () => {
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:00:00 GMT", now)).toBe(0);
  });

  it("returns undefined for missing or unreadable values", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("retryAfterFromHeaders()", () => {
  it("prefers Retry-After, then RateLimit-Reset as delta or epoch seconds", () => {
    expect(retryAfterFromHeaders({ "retry-after": "7", "ratelimit-reset": "60" }, now)).toBe(7_000);
    expect(retryAfterFromHeaders({ "ratelimit-reset": "60" }, now)).toBe(60_000);
    expect(retryAfterFromHeaders({ "x-ratelimit-reset": String(now / 1000 + 90) }, now)).toBe(90_000);
    expect(retryAfterFromHeaders({}, now)).toBeUndefined();
  });
});
