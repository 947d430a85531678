import semver from "semver";

/** The events a subscription can ask for. */
export const webhookEventTypes = ["version.ready", "version.deprecated", "version.removed", "version.repushed", "sync.failing"] as const;

/** One event a subscription can ask for. */
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** What a subscription watches: every field but `events` narrows it; null is "any". */
export interface SubscriptionRule {
  events: readonly string[];
  registryId: string | null;
  /** A glob on the chart name: `*` any run of characters, `?` one character. */
  chart: string | null;
  /** A semver range (`^2`, `>=2.0.0 <3`). */
  versionRange: string | null;
  includePrereleases: boolean;
  createdAt: Date;
}

/** An event as a subscription judges it. Registry events (sync.failing) have no chart or version. */
export interface WatchedEvent {
  type: WebhookEventType;
  registryId: string;
  chart: string | null;
  version: string | null;
  at: Date;
}

/**
 * Whether a subscription wants an event: its type, registry, chart glob, version range and
 * pre-release choice, and never an event from before the subscription existed. A registry event
 * (no chart) is judged by its type and registry only.
 */
export function matchesSubscription(rule: SubscriptionRule, event: WatchedEvent): boolean {
  if (!rule.events.includes(event.type)) return false;
  if (event.at.getTime() < rule.createdAt.getTime()) return false;
  if (rule.registryId !== null && rule.registryId !== event.registryId) return false;
  if (event.chart === null || event.version === null) return true;
  if (rule.chart !== null && !chartGlobPattern(rule.chart).test(event.chart)) return false;
  return versionWanted(event.version, rule);
}

function versionWanted(version: string, rule: SubscriptionRule): boolean {
  const parsed = semver.parse(version, { loose: true });
  if (parsed === null) return rule.versionRange === null;
  if (parsed.prerelease.length > 0 && !rule.includePrereleases) return false;
  if (rule.versionRange === null) return true;
  return semver.satisfies(parsed, rule.versionRange, { includePrerelease: rule.includePrereleases, loose: true });
}

const globCache = new Map<string, RegExp>();

/** The anchored pattern of a chart glob: `*` any run of characters, `?` one; all else literal. */
export function chartGlobPattern(glob: string): RegExp {
  let pattern = globCache.get(glob);
  if (pattern === undefined) {
    const body = [...glob].map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&"))).join("");
    pattern = new RegExp(`^${body}$`, "u");
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(glob, pattern);
  }
  return pattern;
}

/** Whether a string is a semver range a subscription can hold (`^2`, `>=2.0.0 <3`, `1.x`). */
export function isVersionRange(range: string): boolean {
  return range.trim() !== "" && semver.validRange(range, { loose: true }) !== null;
}
