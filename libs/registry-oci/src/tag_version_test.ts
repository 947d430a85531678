import { describe, expect, it } from "vitest";
import { tagToVersion, versionToTag } from "./tag_version.ts";

describe("tagToVersion()", () => {
  it("reads helm's _ for + back as build metadata", () => {
    expect(tagToVersion("1.0.0_build")).toBe("1.0.0+build");
    expect(tagToVersion("1.0.0-rc.1_build.5")).toBe("1.0.0-rc.1+build.5");
    expect(tagToVersion("0.1.0")).toBe("0.1.0");
  });

  it("skips tags that are not strict semver, as helm does", () => {
    for (const tag of ["latest", "v1.0.0", "1.2", "01.0.0", "1.0.0-01", "sha256-" + "a".repeat(64) + ".sig", "1.0.0_", ""]) {
      expect(tagToVersion(tag), tag).toBeNull();
    }
  });

  it("is undone by versionToTag()", () => {
    expect(versionToTag("1.0.0+build")).toBe("1.0.0_build");
  });
});
