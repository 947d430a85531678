import { describe, expect, it } from "vitest";
import type { ComparedVersion } from "./compared_version.ts";
import { versionSummary } from "./version_summary.ts";

const at = (version: string, values: string): ComparedVersion => ({ version, chartYaml: { name: "web", version }, values, valuesSchema: null });

describe("versionSummary()", () => {
  it("counts leaves and image changes against the previous version", () => {
    const summary = versionSummary(
      at("1.4.0", "image: { repository: nginx, tag: '1.25' }\nold: { a: 1, b: 2 }\nkeep: 1\n"),
      at("2.0.0", "image: { repository: nginx, tag: '1.27' }\nsidecar: { image: busybox:1.36 }\nkeep: 2\nnew: 1\n"),
    );
    expect(summary).toEqual({
      previous_version: "1.4.0",
      values_added: 2,
      values_removed: 2,
      values_changed: 2,
      images_changed: 2,
      major: true,
    });
  });

  it("is major only when the major number grows, read leniently", () => {
    expect(versionSummary(at("1.4.0", ""), at("1.5.0", "")).major).toBe(false);
    expect(versionSummary(at("v1.9", ""), at("v10.0", "")).major).toBe(true);
    expect(versionSummary(at("2.0.0", ""), at("1.0.0", "")).major).toBe(false);
    expect(versionSummary(at("latest", ""), at("2.0.0", "")).major).toBe(false);
  });
});
