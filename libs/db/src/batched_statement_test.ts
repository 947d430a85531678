import { describe, expect, it } from "vitest";
import { BatchedStatement } from "./batched_statement.ts";

describe("BatchedStatement", () => {
  it("runs a lone call at once, and the calls made meanwhile together in the next batch", async () => {
    const batches: number[][] = [];
    const statement = new BatchedStatement<number, number>(async (items) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      return items.map((n) => n * 2);
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => statement.submit(n)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it("runs a failed batch again row by row, so only the bad row's caller fails", async () => {
    const batches: string[][] = [];
    const statement = new BatchedStatement<string, string>(async (items) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.includes("bad")) throw new Error("cannot store bad");
      return items.map((item) => item.toUpperCase());
    });
    const outcomes = await Promise.allSettled(["first", "ok", "bad", "fine"].map((item) => statement.submit(item)));
    expect(outcomes.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual([
      "FIRST",
      "OK",
      "cannot store bad",
      "FINE",
    ]);
    expect(batches).toEqual([["first"], ["ok", "bad", "fine"], ["ok"], ["bad"], ["fine"]]);
  });

  it("keeps batches within their largest size", async () => {
    const sizes: number[] = [];
    const statement = new BatchedStatement<number, null>(
      async (items) => {
        sizes.push(items.length);
        await Promise.resolve();
        return items.map(() => null);
      },
      { maxBatch: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => statement.submit(n)));
    expect(sizes).toEqual([1, 2, 2]);
  });
});
