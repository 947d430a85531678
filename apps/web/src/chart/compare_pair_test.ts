import { describe, expect, it } from "vitest";
import { comparePair } from "./compare_pair.ts";

const ready = ["3.0.0", "2.1.0", "2.0.0", "1.0.0"];

describe("comparePair()", () => {
  it("compares the selected version with the one before it", () => {
    expect(comparePair(ready, "2.1.0")).toEqual({ from: "2.0.0", to: "2.1.0" });
    expect(comparePair(ready, null)).toEqual({ from: "2.1.0", to: "3.0.0" });
  });

  it("compares the oldest version with the next newer one", () => {
    expect(comparePair(ready, "1.0.0")).toEqual({ from: "2.0.0", to: "1.0.0" });
  });

  it("keeps versions the user chose, in either order, and ignores ones that are not ready", () => {
    expect(comparePair(ready, "3.0.0", { from: "3.0.0", to: "1.0.0" })).toEqual({ from: "3.0.0", to: "1.0.0" });
    expect(comparePair(ready, "2.1.0", { from: "0.9.0", to: "9.9.9" })).toEqual({ from: "2.0.0", to: "2.1.0" });
    expect(comparePair(ready, "0.1.0-failed")).toEqual({ from: "2.1.0", to: "3.0.0" });
  });

  it("compares a lone ready version with itself, and nothing when none is ready", () => {
    expect(comparePair(["1.0.0"], "1.0.0")).toEqual({ from: "1.0.0", to: "1.0.0" });
    expect(comparePair([], "1.0.0")).toBeNull();
  });
});
