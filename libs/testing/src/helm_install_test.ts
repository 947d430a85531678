import { describe, expect, it } from "vitest";
import { helmBinary, helmVersionOf } from "./helm_install.ts";

describe("helmBinary()", () => {
  it("returns a helm CLI that reports version 4", async () => {
    const path = await helmBinary();
    expect(path).toMatch(/\.cache\/helm\/helm$/);
    expect(await helmVersionOf(path)).toMatch(/^v4\.\d+\.\d+/);
  });

  it("helmVersionOf() answers undefined for a file that is not helm", async () => {
    expect(await helmVersionOf("/nonexistent/helm")).toBeUndefined();
  });
});
