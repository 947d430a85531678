import { describe, expect, it } from "vitest";
import { ExpiringCache } from "./expiring_cache.ts";

function clocked(ttlMs: number, maxEntries = 10): { cache: ExpiringCache<string>; advance: (ms: number) => void } {
  let now = 1_000;
  return { cache: new ExpiringCache<string>({ ttlMs, maxEntries, now: () => now }), advance: (ms) => (now += ms) };
}

describe("ExpiringCache", () => {
  it("keeps a value for its TTL, then forgets it", () => {
    const { cache, advance } = clocked(5_000);
    cache.set("a", "one");
    advance(4_999);
    expect(cache.get("a")).toBe("one");
    advance(1);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps a value only until its own expiry when that is sooner than the TTL", () => {
    const { cache, advance } = clocked(5_000);
    cache.set("a", "one", 1_000 + 2_000);
    advance(2_000);
    expect(cache.get("a")).toBeUndefined();
    cache.set("b", "two", 0);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("forgets every entry whose value matches, and only those", () => {
    const { cache } = clocked(5_000);
    cache.set("a", "revoked");
    cache.set("b", "kept");
    cache.set("c", "revoked");
    cache.deleteWhere((value) => value === "revoked");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, "kept", undefined]);
  });

  it("keeps nothing with a TTL of 0", () => {
    const { cache } = clocked(0);
    cache.set("a", "one");
    expect(cache.get("a")).toBeUndefined();
  });

  it("drops the oldest entries beyond its bound, and a value set again starts its TTL again", () => {
    const { cache, advance } = clocked(5_000, 2);
    cache.set("a", "one");
    cache.set("b", "two");
    advance(3_000);
    cache.set("a", "one again");
    cache.set("c", "three");
    expect(cache.size).toBe(2);
    expect(cache.get("b")).toBeUndefined();
    advance(3_000);
    expect(cache.get("a")).toBe("one again");
    expect(cache.get("c")).toBe("three");
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
  });
});
