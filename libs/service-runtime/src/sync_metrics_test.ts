import { DeferredError, UpstreamError } from "@charthouse/errors";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { recordSync, syncMetrics, type SyncOutcome } from "./sync_metrics.ts";

function recorder(): { syncEnded(outcome: SyncOutcome): void; seen: SyncOutcome[] } {
  const seen: SyncOutcome[] = [];
  return { seen, syncEnded: (outcome) => seen.push(outcome) };
}

describe("recordSync()", () => {
  it("reports the outcome of a sync, failed for an error, and nothing for a deferral or a skipped sync", async () => {
    const r = recorder();
    await recordSync(r, () => Promise.resolve("updated"));
    await recordSync(r, () => Promise.resolve(undefined));
    await expect(recordSync(r, () => Promise.reject(new UpstreamError("registry_error", "Registry answered 503", { status: 503 })))).rejects.toThrow();
    await expect(recordSync(r, () => Promise.reject(new DeferredError("held", { code: "unavailable", retryAfterMs: 1000 })))).rejects.toThrow();
    expect(r.seen).toEqual(["updated", "failed"]);
  });

  it("syncMetrics() counts and times syncs by kind and outcome only", async () => {
    const registry = new Registry();
    syncMetrics(registry, "oci").syncEnded("unchanged", 0.2);
    const text = await registry.metrics();
    expect(text).toContain('charthouse_syncs_total{kind="oci",outcome="unchanged"} 1');
    expect(text).toContain('charthouse_syncs_total{kind="oci",outcome="failed"} 0');
    expect(text).toContain('charthouse_sync_duration_seconds_count{kind="oci",outcome="unchanged"} 1');
  });
});
