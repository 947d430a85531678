import { describe, expect, it } from "vitest";
import { RestartBackoff, defaultRestartPolicy } from "./restart_backoff.ts";

describe("RestartBackoff", () => {
  it("next() doubles from the initial wait up to the maximum while the process keeps crashing", () => {
    const backoff = new RestartBackoff(defaultRestartPolicy);
    const waits = Array.from({ length: 8 }, () => backoff.next(100));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("next() starts over after a run longer than healthyAfterMs", () => {
    const backoff = new RestartBackoff({ initialDelayMs: 10, maxDelayMs: 1_000, healthyAfterMs: 5_000 });
    expect([backoff.next(0), backoff.next(0), backoff.next(4_999)]).toEqual([10, 20, 40]);
    expect(backoff.next(5_000)).toBe(10);
    expect(backoff.next(0)).toBe(20);
  });

  it("reset() forgets the crashes in a row", () => {
    const backoff = new RestartBackoff({ initialDelayMs: 10, maxDelayMs: 1_000, healthyAfterMs: 5_000 });
    backoff.next(0);
    backoff.next(0);
    backoff.reset();
    expect(backoff.next(0)).toBe(10);
  });
});
