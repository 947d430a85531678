import { describe, expect, it } from "vitest";
import { compareVersionsDesc, isStrictSemver } from "./version_order.ts";

const sorted = (versions: string[]): string[] => [...versions].sort(compareVersionsDesc);

describe("compareVersionsDesc()", () => {
  it("orders by semver precedence, newest first", () => {
    expect(sorted(["1.0.0", "1.10.0", "1.2.0", "2.0.0-rc.1", "2.0.0", "2.0.0-beta.2", "2.0.0-beta.10"])).toEqual([
      "2.0.0",
      "2.0.0-rc.1",
      "2.0.0-beta.10",
      "2.0.0-beta.2",
      "1.10.0",
      "1.2.0",
      "1.0.0",
    ]);
  });

  it("reads versions leniently like Helm: v prefix, two parts, leading zeros", () => {
    expect(sorted(["v5.19.4", "5.20.0", "v0.6", "0.46.00", "0.46.1", "2.0.000", "1.2"])).toEqual([
      "5.20.0",
      "v5.19.4",
      "2.0.000",
      "1.2",
      "0.46.1",
      "0.46.00",
      "v0.6",
    ]);
  });

  it("compares numbers of any size without overflow", () => {
    expect(sorted(["1.0.99999999999999999999", "1.0.100000000000000000000"])).toEqual(["1.0.100000000000000000000", "1.0.99999999999999999999"]);
  });

  it("puts versions that are not semver last, in descending string order", () => {
    expect(sorted(["latest", "1.0.0", "2018.4.1.13", "0.0.1", "stable"])).toEqual(["1.0.0", "0.0.1", "stable", "latest", "2018.4.1.13"]);
  });

  it("breaks ties of equal precedence the same way whatever the input order", () => {
    const a = sorted(["1.0.0+up1", "1.0.0", "v1.0.0", "1.0.0+up2"]);
    const b = sorted(["1.0.0+up2", "v1.0.0", "1.0.0", "1.0.0+up1"]);
    expect(a).toEqual(b);
    expect(a).toEqual(["v1.0.0", "1.0.0+up2", "1.0.0+up1", "1.0.0"]);
  });
});

describe("isStrictSemver()", () => {
  it.each(["1.0.0", "0.0.0", "12.1.11+20260727.061213.2528", "1.0.0-alpha.1", "104.2.0+up1.6.4", "1.1.0+hotfix.1"])("accepts %s", (v) => {
    expect(isStrictSemver(v)).toBe(true);
  });
  it.each(["v1.0.0", "1.2", "2.0.000", "0.46.00", "1.0.0-01", "latest", "1.0.0+", ""])("refuses %s", (v) => {
    expect(isStrictSemver(v)).toBe(false);
  });
});
