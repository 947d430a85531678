import type { ComparedVersion } from "@charthouse/chart-compare";
import { describe, expect, it } from "vitest";
import { ComparedVersionCache } from "./compared_version_cache.ts";

const versionOf = (version: string): ComparedVersion => ({ version, chartYaml: null, values: null, valuesSchema: null });

describe("ComparedVersionCache", () => {
  it("drops the least recently used version past its entry bound", () => {
    const cache = new ComparedVersionCache({ maxEntries: 2, maxChars: 1_000 });
    cache.set("a", versionOf("1"), 10);
    cache.set("b", versionOf("2"), 10);
    expect(cache.get("a")?.version).toBe("1");
    cache.set("c", versionOf("3"), 10);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")?.version).toBe("1");
    expect(cache.get("c")?.version).toBe("3");
    expect(cache.size).toBe(2);
  });

  it("keeps its text under the character bound and never keeps one version heavier than all of it", () => {
    const cache = new ComparedVersionCache({ maxEntries: 10, maxChars: 100 });
    cache.set("a", versionOf("1"), 60);
    cache.set("b", versionOf("2"), 60);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("b")?.version).toBe("2");
    cache.set("huge", versionOf("3"), 101);
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("b")?.version).toBe("2");
  });

  it("replaces a version kept under the same key", () => {
    const cache = new ComparedVersionCache({ maxEntries: 10, maxChars: 100 });
    cache.set("a", versionOf("1"), 90);
    cache.set("a", versionOf("1b"), 90);
    expect(cache.get("a")?.version).toBe("1b");
    expect(cache.size).toBe(1);
  });

  it("keys a version by its id and archive digest", () => {
    expect(ComparedVersionCache.keyOf("id", "sha")).not.toBe(ComparedVersionCache.keyOf("id", "other"));
  });
});
