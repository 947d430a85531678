import { describe, expect, it } from "vitest";
import { InFlightWindow } from "./in_flight_window.ts";

/** A task the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Whether `promise` has settled once the callbacks already due have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("InFlightWindow", () => {
  it("has room until `limit` tasks are in flight, and again once one settles", async () => {
    const window = new InFlightWindow(2);
    const [a, b] = [deferred(), deferred()];
    window.add(a.promise);
    expect(window.hasRoom).toBe(true);
    window.add(b.promise);
    expect(window.size).toBe(2);
    const room = window.room();
    expect(await settled(room)).toBe(false);
    b.resolve();
    expect(await settled(room)).toBe(true);
    expect(window.size).toBe(1);
  });

  it("counts a failed task as settled and leaves its failure to the caller", async () => {
    const window = new InFlightWindow(1);
    const task = deferred();
    const seen = task.promise.catch((err: Error) => err.message);
    window.add(task.promise);
    const room = window.room();
    task.reject(new Error("refused"));
    expect(await settled(room)).toBe(true);
    expect(await seen).toBe("refused");
  });

  it("is idle only once every task has settled", async () => {
    const window = new InFlightWindow(8);
    const tasks = [deferred(), deferred(), deferred()];
    for (const task of tasks) window.add(task.promise);
    const idle = window.idle();
    tasks[0]!.resolve();
    tasks[2]!.resolve();
    expect(await settled(idle)).toBe(false);
    tasks[1]!.resolve();
    expect(await settled(idle)).toBe(true);
    expect(await settled(new InFlightWindow(1).idle())).toBe(true);
  });

  it("keeps a loop at its limit: never more in flight, every task run", async () => {
    const window = new InFlightWindow(16);
    let running = 0;
    let most = 0;
    let finished = 0;
    for (let i = 0; i < 1_000; i++) {
      running++;
      most = Math.max(most, running);
      window.add(
        new Promise<void>((resolve) => setTimeout(resolve, i % 3)).then(() => {
          running--;
          finished++;
        }),
      );
      if (!window.hasRoom) await window.room();
    }
    await window.idle();
    expect(most).toBe(16);
    expect(finished).toBe(1_000);
  });

  it("refuses a limit below one", () => {
    expect(() => new InFlightWindow(0)).toThrow(RangeError);
  });
});
