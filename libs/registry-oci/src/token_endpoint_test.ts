import { describe, expect, it } from "vitest";
import { parseTokenResponse } from "./token_endpoint.ts";

describe("parseTokenResponse()", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it("takes token or access_token, and 60 s when expires_in is missing", () => {
    expect(parseTokenResponse('{"token":"t1"}', "GET x", now)).toEqual({ token: "t1", expiresAt: now + 60_000, obtainedAt: now });
    expect(parseTokenResponse('{"access_token":"t2","expires_in":300}', "GET x", now).token).toBe("t2");
  });

  it("counts expiry from issued_at when it lies in the past", () => {
    const token = parseTokenResponse('{"token":"t","expires_in":300,"issued_at":"2025-12-31T23:59:00Z"}', "GET x", now);
    expect(token.expiresAt).toBe(now - 60_000 + 300_000);
    const skewed = parseTokenResponse('{"token":"t","expires_in":300,"issued_at":"2026-01-01T00:10:00Z"}', "GET x", now);
    expect(skewed.expiresAt).toBe(now + 300_000);
  });

  it("fails with registry_error without a token, never echoing the body", () => {
    expect(() => parseTokenResponse('{"details":"secret-ish"}', "GET x", now)).toThrow(/without a token/);
    expect(() => parseTokenResponse("<html>", "GET x", now)).toThrow(/did not answer JSON/);
  });
});
