import { describe, expect, it } from "vitest";
import { addToTally, type SyncTallies } from "./sync_tally.ts";
import type { LiveEvent } from "./event_stream.ts";

const event = (type: LiveEvent["type"], registryId = "r1"): LiveEvent => ({ type, payload: { registry_id: registryId } });

describe("addToTally()", () => {
  it("counts version events of a sync from its start, per registry", () => {
    let tallies: SyncTallies = new Map();
    for (const e of [
      event("chart.version.discovered"),
      event("registry.sync.started"),
      event("chart.version.discovered"),
      event("chart.version.discovered"),
      event("chart.version.ready"),
      event("chart.version.failed", "r2"),
      event("registry.sync.finished"),
      event("chart.version.ready"),
    ]) {
      tallies = addToTally(tallies, e);
    }
    expect(tallies.get("r1")).toEqual({ syncing: false, discovered: 2, ready: 2, failed: 0, removed: 0 });
    expect(tallies.get("r2")).toMatchObject({ failed: 1 });
  });

  it("ignores events without a registry id", () => {
    const tallies: SyncTallies = new Map();
    expect(addToTally(tallies, { type: "chart.version.ready", payload: {} })).toBe(tallies);
  });
});
