import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SyncStartAnnouncement } from "./sync_start_announcement.ts";

function setUp(publish: () => Promise<void> = () => Promise.resolve()) {
  const sent: number[] = [];
  const lateFailures: unknown[] = [];
  const start = new SyncStartAnnouncement(
    async () => {
      sent.push(Date.now());
      await publish();
    },
    { graceMs: 1_000, onLateFailure: (err) => lateFailures.push(err) },
  );
  return { start, sent, lateFailures };
}

describe("SyncStartAnnouncement", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never announces a sync that finishes unchanged within the grace period", async () => {
    const t = setUp();
    await vi.advanceTimersByTimeAsync(999);
    expect(await t.start.beforeFinish(false)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.sent).toEqual([]);
  });

  it("announces a sync that changed something before its finish, once", async () => {
    const t = setUp();
    await t.start.announce();
    expect(await t.start.beforeFinish(true)).toBe(true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.sent).toHaveLength(1);
  });

  it("announces a sync still running after the grace period, and its unchanged finish waits for that", async () => {
    let release = (): void => undefined;
    const t = setUp(() => new Promise<void>((resolve) => (release = resolve)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.sent).toHaveLength(1);
    let finished = false;
    const finishing = t.start.beforeFinish(false).then((announced) => (finished = announced));
    await vi.advanceTimersByTimeAsync(0);
    expect(finished).toBe(false);
    release();
    await finishing;
    expect(finished).toBe(true);
    expect(t.sent).toHaveLength(1);
  });

  it("sends the start again before the finish when the late announcement failed", async () => {
    let fail = true;
    const t = setUp(() => (fail ? Promise.reject(new Error("broker down")) : Promise.resolve()));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.lateFailures).toEqual([new Error("broker down")]);
    fail = false;
    await t.start.beforeFinish(false);
    expect(t.sent).toHaveLength(2);
  });

  it("stops the grace timer when the attempt ends without finishing", async () => {
    const t = setUp();
    t.start.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.sent).toEqual([]);
  });
});
