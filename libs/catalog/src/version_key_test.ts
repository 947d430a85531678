import { describe, expect, it } from "vitest";
import { versionKey } from "./version_key.ts";

describe("versionKey()", () => {
  it("keeps charts apart even when their names and versions concatenate alike", () => {
    expect(versionKey("a-1", "0")).not.toBe(versionKey("a", "1-0"));
    expect(versionKey("web", "1.0.0")).toBe(versionKey("web", "1.0.0"));
  });
});
