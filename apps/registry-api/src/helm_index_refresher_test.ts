import { createLogger } from "@charthouse/logging";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HelmIndexRefresher } from "./helm_index_refresher.ts";

const log = createLogger("helm-index-refresher-test", { level: "silent" });

/** A refresh that records each call and finishes when the test says so. */
function recorder(): { refresh: (registryId: string) => Promise<boolean>; calls: string[]; finish: () => void } {
  const calls: string[] = [];
  const running: ((rebuilt: boolean) => void)[] = [];
  return {
    calls,
    finish: () => {
      for (const resolve of running.splice(0)) resolve(false);
    },
    refresh: (registryId) => {
      calls.push(registryId);
      return new Promise<boolean>((resolve) => running.push(resolve));
    },
  };
}

const ready = (registryId: string) => ({ name: "chart.version.ready", registryId });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("HelmIndexRefresher", () => {
  it("refreshes a registry once its events pause, once for a burst", async () => {
    const { refresh, calls, finish } = recorder();
    const refresher = new HelmIndexRefresher(refresh, { log, quietMs: 1_000, maxWaitMs: 5_000 });
    refresher.event(ready("r1"));
    await vi.advanceTimersByTimeAsync(900);
    refresher.event(ready("r1"));
    refresher.event({ name: "chart.version.removed", registryId: "r2" });
    await vi.advanceTimersByTimeAsync(900);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(calls.sort()).toEqual(["r1", "r2"]);
    finish();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(2);
    expect(refresher.size).toBe(0);
  });

  it("waits no longer than maxWaitMs while events keep coming", async () => {
    const { refresh, calls } = recorder();
    const refresher = new HelmIndexRefresher(refresh, { log, quietMs: 1_000, maxWaitMs: 3_000 });
    for (let i = 0; i < 10; i++) {
      refresher.event(ready("r1"));
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(calls).toEqual(["r1"]);
  });

  it("runs one refresh per registry at a time, and one more for the events that came during it", async () => {
    const { refresh, calls, finish } = recorder();
    const refresher = new HelmIndexRefresher(refresh, { log, quietMs: 100 });
    refresher.event(ready("r1"));
    await vi.advanceTimersByTimeAsync(100);
    refresher.event(ready("r1"));
    refresher.event(ready("r1"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(["r1"]);
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toEqual(["r1", "r1"]);
  });

  it("looks once more after the settle time when a refresh rebuilt, until one finds nothing to do", async () => {
    const answers = [true, true, false];
    const calls: number[] = [];
    const refresher = new HelmIndexRefresher(
      () => {
        calls.push(Date.now());
        return Promise.resolve(answers.shift() ?? false);
      },
      { log, quietMs: 100, settleMs: 11_000 },
    );
    const started = Date.now();
    refresher.event(ready("r1"));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((at) => at - started)).toEqual([100, 11_100, 22_100]);
    expect(refresher.size).toBe(0);
  });

  it("ignores a sync's start, keeps going after a failed refresh, and stops when closed", async () => {
    const calls: string[] = [];
    const refresher = new HelmIndexRefresher(
      (registryId) => {
        calls.push(registryId);
        return Promise.reject(new Error("Postgres is down"));
      },
      { log, quietMs: 100 },
    );
    refresher.event({ name: "registry.sync.started", registryId: "r1" });
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual([]);
    refresher.event({ name: "registry.sync.finished", registryId: "r1", outcome: "unchanged" });
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual([]);
    refresher.event({ name: "registry.sync.finished", registryId: "r1", outcome: "updated" });
    await vi.advanceTimersByTimeAsync(200);
    refresher.event(ready("r1"));
    await vi.advanceTimersByTimeAsync(200);
    expect(calls).toEqual(["r1", "r1"]);
    refresher.event(ready("r1"));
    refresher.close();
    refresher.event(ready("r2"));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(["r1", "r1"]);
    expect(refresher.size).toBe(0);
  });
});
