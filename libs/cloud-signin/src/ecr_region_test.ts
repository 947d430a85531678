import { describe, expect, it } from "vitest";
import { ecrRegionOf } from "./ecr_region.ts";

describe("ecrRegionOf()", () => {
  it("reads the region of ECR registry hosts, FIPS and China included", () => {
    expect(ecrRegionOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe("eu-west-1");
    expect(ecrRegionOf("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com:443")).toBe("us-gov-west-1");
    expect(ecrRegionOf("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).toBe("cn-north-1");
  });

  it("is undefined for any other host", () => {
    for (const host of ["127.0.0.1:5000", "public.ecr.aws", "ghcr.io", "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example"]) {
      expect(ecrRegionOf(host)).toBeUndefined();
    }
  });
});
