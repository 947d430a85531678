import { describe, expect, it } from "vitest";
import { tokenOf } from "./helm_auth.ts";

const basic = (value: string): string => `Basic ${Buffer.from(value).toString("base64")}`;

describe("tokenOf()", () => {
  it("reads the token as Basic's password, whatever the user name", () => {
    expect(tokenOf(basic("any:cht_abc"))).toBe("cht_abc");
    expect(tokenOf(basic(":cht_abc"))).toBe("cht_abc");
    expect(tokenOf(basic("user:pass:with:colons"))).toBe("pass:with:colons");
  });

  it("reads a bearer token", () => {
    expect(tokenOf("Bearer cht_abc")).toBe("cht_abc");
    expect(tokenOf("bearer   cht_abc ")).toBe("cht_abc");
  });

  it("finds no token without a password or in other schemes", () => {
    expect(tokenOf(undefined)).toBeUndefined();
    expect(tokenOf(basic("user-only"))).toBeUndefined();
    expect(tokenOf(basic("user:"))).toBeUndefined();
    expect(tokenOf("Digest abc")).toBeUndefined();
    expect(tokenOf(`Basic ${"A".repeat(10_000)}`)).toBeUndefined();
  });
});
