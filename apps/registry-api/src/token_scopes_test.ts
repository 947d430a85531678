import { describe, expect, it } from "vitest";
import { holdsScope } from "./token_scopes.ts";

describe("holdsScope()", () => {
  it("nests the scopes: admin holds write and read, write holds read, read only read", () => {
    expect(["read", "write", "admin"].map((needed) => holdsScope(["admin"], needed as "read"))).toEqual([true, true, true]);
    expect(holdsScope(["write"], "read")).toBe(true);
    expect(holdsScope(["write"], "write")).toBe(true);
    expect(holdsScope(["write"], "admin")).toBe(false);
    expect(holdsScope(["read"], "write")).toBe(false);
  });

  it("grants nothing for no scopes or scopes it does not know", () => {
    expect(holdsScope([], "read")).toBe(false);
    expect(holdsScope(["root", "ADMIN"], "read")).toBe(false);
  });
});
