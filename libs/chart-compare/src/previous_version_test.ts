import { describe, expect, it } from "vitest";
import { previousVersion } from "./previous_version.ts";

const of = (...versions: string[]): { version: string }[] => versions.map((version) => ({ version }));

describe("previousVersion()", () => {
  it("picks the newest version older than the current one by semver, not by list order or text", () => {
    expect(previousVersion(of("1.9.0", "1.10.0", "2.0.0", "1.2.0"), "1.11.0")?.version).toBe("1.10.0");
    expect(previousVersion(of("2.0.0", "1.0.0"), "1.5.0")?.version).toBe("1.0.0");
    expect(previousVersion(of("1.0.0", "2.0.0-rc.1"), "2.0.0")?.version).toBe("2.0.0-rc.1");
  });

  it("is null for the oldest version, an empty list, or only the version itself", () => {
    expect(previousVersion(of("2.0.0", "3.0.0"), "1.0.0")).toBeNull();
    expect(previousVersion([], "1.0.0")).toBeNull();
    expect(previousVersion(of("1.0.0"), "1.0.0")).toBeNull();
  });
});
