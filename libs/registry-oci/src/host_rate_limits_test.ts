import { describe, expect, it } from "vitest";
import { CharthouseError, UpstreamError } from "@charthouse/errors";
import { createHostRateLimits, rateLimitValue } from "./host_rate_limits.ts";

describe("createHostRateLimits()", () => {
  it("waits out a short Retry-After of a 429 and lets other hosts through", async () => {
    const limits = createHostRateLimits();
    limits.observe("http://a.example", 429, { "retry-after": "0.2" });
    expect(await limits.beforeRequest("http://b.example", undefined)).toBe(false);
    const started = Date.now();
    expect(await limits.beforeRequest("http://a.example", undefined)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await limits.beforeRequest("http://a.example", undefined)).toBe(false);
  });

  it("fails with rate_limited and the wait when it is longer than allowed", async () => {
    let now = 1_000_000;
    const limits = createHostRateLimits({ maxWaitMs: 30_000, now: () => now });
    limits.observe("https://registry-1.docker.io", 200, { "ratelimit-limit": "100;w=21600", "ratelimit-remaining": "0;w=21600" });
    const err = await limits.beforeRequest("https://registry-1.docker.io", undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).code).toBe("rate_limited");
    // One request's share of Docker Hub's window: 21600 s / 100.
    expect((err as UpstreamError).retryAfterMs).toBe(216_000);
    expect((err as CharthouseError).solution).toBe("Retried after the time the registry asks for");
    now += 216_001;
    expect(await limits.beforeRequest("https://registry-1.docker.io", undefined)).toBe(false);
  });

  it("backs off without Retry-After and forgets after a good answer", () => {
    const now = 0;
    const limits = createHostRateLimits({ defaultWaitMs: 1_000, now: () => now });
    limits.observe("h", 429, {});
    expect(limits.waitFor("h")).toBe(1_000);
    limits.observe("h", 429, {});
    expect(limits.waitFor("h")).toBe(2_000);
    limits.observe("h", 200, { "ratelimit-remaining": "99;w=21600" });
    expect(limits.waitFor("h")).toBe(2_000);
  });

  it("stops waiting when the signal aborts", async () => {
    const limits = createHostRateLimits();
    limits.observe("h", 429, { "retry-after": "20" });
    const controller = new AbortController();
    const waiting = limits.beforeRequest("h", controller.signal);
    controller.abort(new Error("shutting down"));
    await expect(waiting).rejects.toThrow("shutting down");
  });
});

describe("rateLimitValue()", () => {
  it("reads Docker Hub's count;w=window", () => {
    expect(rateLimitValue("100;w=21600")).toEqual({ count: 100, windowSeconds: 21600 });
    expect(rateLimitValue("7")).toEqual({ count: 7, windowSeconds: undefined });
    expect(rateLimitValue("x")).toBeUndefined();
  });
});
