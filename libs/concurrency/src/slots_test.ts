import { describe, expect, it } from "vitest";
import { Slots } from "./slots.ts";

describe("Slots", () => {
  it("lets `size` holders in at once and the next waiter in, in order, as each gives its slot back", async () => {
    const slots = new Slots(2);
    const first = await slots.take();
    const second = await slots.take();
    const order: string[] = [];
    const third = slots.take().then((release) => (order.push("third"), release));
    const fourth = slots.take().then((release) => (order.push("fourth"), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(slots.waiting).toBe(2);
    expect(slots.held).toBe(2);

    first();
    first(); // a second call gives back nothing more
    const releaseThird = await third;
    expect(order).toEqual(["third"]);
    expect(slots.waiting).toBe(1);

    second();
    (await fourth)();
    releaseThird();
    expect(order).toEqual(["third", "fourth"]);
    expect(slots.held).toBe(0);
    // Every slot is free again: two take at once without waiting.
    await Promise.all([slots.take(), slots.take()]);
    expect(slots.waiting).toBe(0);
    expect(slots.held).toBe(2);
  });
});
