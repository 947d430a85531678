import { describe, expect, it } from "vitest";
import { chartGlobPattern, isVersionRange, matchesSubscription, type SubscriptionRule, type WatchedEvent } from "./subscription_match.ts";

const registryId = "11111111-1111-4111-8111-111111111111";
const created = new Date("2026-12-01T10:00:00Z");
const rule = (over: Partial<SubscriptionRule> = {}): SubscriptionRule => ({
  events: ["version.ready"],
  registryId: null,
  chart: null,
  versionRange: null,
  includePrereleases: false,
  createdAt: created,
  ...over,
});
const ready = (version: string, over: Partial<WatchedEvent> = {}): WatchedEvent => ({
  type: "version.ready",
  registryId,
  chart: "web",
  version,
  at: new Date("2026-12-01T11:00:00Z"),
  ...over,
});

describe("matchesSubscription()", () => {
  it("sends a 2.x release and not a 1.x one to a subscription on ^2", () => {
    const onTwo = rule({ chart: "web", versionRange: "^2" });
    expect(matchesSubscription(onTwo, ready("1.9.0"))).toBe(false);
    expect(matchesSubscription(onTwo, ready("2.1.0"))).toBe(true);
    expect(matchesSubscription(onTwo, ready("3.0.0"))).toBe(false);
  });

  it("leaves pre-releases out unless asked, with or without a range", () => {
    expect(matchesSubscription(rule(), ready("2.0.0-rc.1"))).toBe(false);
    expect(matchesSubscription(rule({ versionRange: "^2" }), ready("2.1.0-rc.1"))).toBe(false);
    expect(matchesSubscription(rule({ includePrereleases: true }), ready("2.0.0-rc.1"))).toBe(true);
    expect(matchesSubscription(rule({ versionRange: ">=2.0.0 <3", includePrereleases: true }), ready("2.1.0-rc.1"))).toBe(true);
  });

  it("reads versions leniently like Helm, and a non-semver version only matches a subscription without a range", () => {
    expect(matchesSubscription(rule({ versionRange: "^2" }), ready("v2.3.0"))).toBe(true);
    expect(matchesSubscription(rule({ versionRange: "^2" }), ready("latest"))).toBe(false);
    expect(matchesSubscription(rule(), ready("latest"))).toBe(true);
  });

  it("sends nothing for an event from before the subscription existed", () => {
    expect(matchesSubscription(rule(), ready("1.0.0", { at: new Date("2026-12-01T09:59:59Z") }))).toBe(false);
  });

  it("keeps to its event types, registry and chart glob", () => {
    expect(matchesSubscription(rule({ events: ["version.removed"] }), ready("1.0.0"))).toBe(false);
    expect(matchesSubscription(rule({ registryId: "22222222-2222-4222-8222-222222222222" }), ready("1.0.0"))).toBe(false);
    expect(matchesSubscription(rule({ registryId }), ready("1.0.0"))).toBe(true);
    expect(matchesSubscription(rule({ chart: "we*" }), ready("1.0.0"))).toBe(true);
    expect(matchesSubscription(rule({ chart: "api-*" }), ready("1.0.0"))).toBe(false);
  });

  it("judges a registry event by its type and registry only", () => {
    const failing: WatchedEvent = { type: "sync.failing", registryId, chart: null, version: null, at: new Date("2026-12-01T11:00:00Z") };
    expect(matchesSubscription(rule({ events: ["sync.failing"], chart: "web", versionRange: "^2" }), failing)).toBe(true);
  });
});

describe("chartGlobPattern()", () => {
  it("treats * and ? as wildcards and everything else, dots included, literally", () => {
    expect(chartGlobPattern("bitnami/*").test("bitnami/nginx")).toBe(true);
    expect(chartGlobPattern("nginx-?").test("nginx-1")).toBe(true);
    expect(chartGlobPattern("a.b").test("axb")).toBe(false);
    expect(chartGlobPattern("(x)").test("(x)")).toBe(true);
  });
});

describe("isVersionRange()", () => {
  it("accepts the ranges people write and refuses what semver cannot read", () => {
    for (const range of ["^2", ">=2.0.0 <3", "1.x", "~1.2.3", "*"]) expect(isVersionRange(range)).toBe(true);
    for (const range of ["", "  ", "two", ">=>2"]) expect(isVersionRange(range)).toBe(false);
  });
});
