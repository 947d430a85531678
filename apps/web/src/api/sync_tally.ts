import type { LiveEvent } from "./event_stream.ts";

/** What the events of one registry's current (or last) sync have said so far. */
export interface SyncTally {
  syncing: boolean;
  discovered: number;
  ready: number;
  failed: number;
  removed: number;
}

/** Tallies by registry id. */
export type SyncTallies = ReadonlyMap<string, SyncTally>;

const empty: SyncTally = { syncing: false, discovered: 0, ready: 0, failed: 0, removed: 0 };

/**
 * Adds one event to the tallies: a sync's start resets its registry's counts, version events
 * count up, the sync's end keeps the counts (downloads go on after the index sync ends).
 * Answers the same map when the event concerns no registry.
 */
export function addToTally(tallies: SyncTallies, event: LiveEvent): SyncTallies {
  const registryId = event.payload["registry_id"];
  if (typeof registryId !== "string") return tallies;
  const current = tallies.get(registryId) ?? empty;
  let next: SyncTally;
  switch (event.type) {
    case "registry.sync.started":
      next = { ...empty, syncing: true };
      break;
    case "registry.sync.finished":
      next = { ...current, syncing: false };
      break;
    case "chart.version.discovered":
      next = { ...current, discovered: current.discovered + 1 };
      break;
    case "chart.version.ready":
      next = { ...current, ready: current.ready + 1 };
      break;
    case "chart.version.failed":
      next = { ...current, failed: current.failed + 1 };
      break;
    case "chart.version.removed":
      next = { ...current, removed: current.removed + 1 };
      break;
  }
  const copy = new Map(tallies);
  copy.set(registryId, next);
  return copy;
}
