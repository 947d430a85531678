import { describe, expect, it } from "vitest";
import { PublishChain } from "./publish_chain.ts";

describe("PublishChain", () => {
  it("runs one batch at a time in the order added and sums their counts", async () => {
    const chain = new PublishChain();
    const order: string[] = [];
    let running = 0;
    const batch = (name: string, count: number, ms: number) => async (): Promise<number> => {
      running++;
      expect(running).toBe(1);
      order.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      order.push(`end ${name}`);
      running--;
      return count;
    };
    chain.add(batch("a", 2, 15));
    chain.add(batch("b", 3, 1));
    expect(await chain.drain()).toBe(5);
    expect(order).toEqual(["start a", "end a", "start b", "end b"]);
  });

  it("rethrows a failed batch from drain(), not as an unhandled rejection, and starts no later batch", async () => {
    const chain = new PublishChain();
    let later = false;
    chain.add(() => Promise.reject(new Error("no responders")));
    chain.add(() => {
      later = true;
      return Promise.resolve(1);
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(chain.drain()).rejects.toThrow("no responders");
    expect(later).toBe(false);
  });
});
