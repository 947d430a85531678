import { describe, expect, it } from "vitest";
import { waitFor } from "./wait_for.ts";

describe("waitFor()", () => {
  it("returns the first value that is neither undefined nor false", async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `ready after ${calls}` : false), {
      what: "the third call",
      intervalMs: 1,
    });
    expect(value).toBe("ready after 3");
  });

  it("names what it waited for at the deadline and keeps the last error as cause", async () => {
    const failure = new Error("connection refused");
    const promise = waitFor(
      () => {
        throw failure;
      },
      { what: "the peer to answer", timeoutMs: 50, intervalMs: 5 },
    );
    await expect(promise).rejects.toThrow(/Timed out after 50 ms waiting for the peer to answer; last error: connection refused/);
    await expect(promise).rejects.toHaveProperty("cause", failure);
  });
});
