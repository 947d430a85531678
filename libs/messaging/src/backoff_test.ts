import { describe, expect, it } from "vitest";
import { backoffDelay, deferralDelay } from "./backoff.ts";

describe("backoffDelay()", () => {
  it("doubles per attempt within its jitter band and stops at the cap", () => {
    const policy = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(1, { policy, random: () => 0 })).toBe(500);
    expect(backoffDelay(1, { policy, random: () => 1 })).toBe(1000);
    expect(backoffDelay(3, { policy, random: () => 1 })).toBe(4000);
    expect(backoffDelay(10, { policy, random: () => 1 })).toBe(8000);
  });

  it("never retries sooner than the registry's Retry-After", () => {
    expect(backoffDelay(1, { retryAfterMs: 30_000, random: () => 0 })).toBe(30_000);
  });
});

describe("deferralDelay()", () => {
  it("waits what was asked plus up to half again, and at least 50 ms", () => {
    expect(deferralDelay(2000, () => 0)).toBe(2000);
    expect(deferralDelay(2000, () => 1)).toBe(3000);
    expect(deferralDelay(0, () => 0)).toBe(50);
  });
});
