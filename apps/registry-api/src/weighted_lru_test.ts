import { describe, expect, it } from "vitest";
import { WeightedLru } from "./weighted_lru.ts";

const versionOf = (version: string): { version: string } => ({ version });

describe("WeightedLru", () => {
  it("drops the least recently used entry past its entry bound", () => {
    const cache = new WeightedLru<{ version: string }>({ maxEntries: 2, maxChars: 1_000 });
    cache.set("a", versionOf("1"), 10);
    cache.set("b", versionOf("2"), 10);
    expect(cache.get("a")?.version).toBe("1");
    cache.set("c", versionOf("3"), 10);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.version).toBe("1");
    expect(cache.get("c")?.version).toBe("3");
    expect(cache.size).toBe(2);
  });

  it("keeps its text under the character bound and never keeps one entry heavier than all of it", () => {
    const cache = new WeightedLru<{ version: string }>({ maxEntries: 10, maxChars: 100 });
    cache.set("a", versionOf("1"), 60);
    cache.set("b", versionOf("2"), 60);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("b")?.version).toBe("2");
    cache.set("huge", versionOf("3"), 101);
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("b")?.version).toBe("2");
  });

  it("replaces an entry kept under the same key", () => {
    const cache = new WeightedLru<{ version: string }>({ maxEntries: 10, maxChars: 100 });
    cache.set("a", versionOf("1"), 90);
    cache.set("a", versionOf("1b"), 90);
    expect(cache.get("a")?.version).toBe("1b");
    expect(cache.size).toBe(1);
  });
});
