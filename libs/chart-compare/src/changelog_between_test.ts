import { describe, expect, it } from "vitest";
import { changelogBetween } from "./changelog_between.ts";

const version = (number: string, changes?: string): { version: string; chartYaml: unknown } => ({
  version: number,
  chartYaml: { name: "web", version: number, ...(changes === undefined ? {} : { annotations: { "artifacthub.io/changes": changes } }) },
});

const versions = [
  version("1.0.0", "- kind: added\n  description: First release\n"),
  version("1.1.0", "- kind: fixed\n  description: Probe port\n- kind: Security\n  description: Bump base image\n"),
  version("1.2.0"),
  version("2.0.0", "- Plain text entry\n- kind: removed\n  description: legacy.enabled\n  links: [{ name: PR, url: https://example.com }]\n"),
  version("2.1.0", "- kind: added\n  description: Not yet\n"),
];

describe("changelogBetween()", () => {
  it("lists the entries of every version after `from` up to `to`, newest first", () => {
    expect(changelogBetween(versions, "1.0.0", "2.0.0")).toEqual([
      { version: "2.0.0", kind: null, description: "Plain text entry" },
      { version: "2.0.0", kind: "removed", description: "legacy.enabled" },
      { version: "1.1.0", kind: "fixed", description: "Probe port" },
      { version: "1.1.0", kind: "security", description: "Bump base image" },
    ]);
  });

  it("gives the same entries when `from` is the newer version, and none between a version and itself", () => {
    expect(changelogBetween(versions, "2.0.0", "1.0.0")).toEqual(changelogBetween(versions, "1.0.0", "2.0.0"));
    expect(changelogBetween(versions, "1.1.0", "1.1.0")).toEqual([]);
  });

  it("orders versions as Helm does, not as text", () => {
    const entries = changelogBetween([version("1.10.0", "- ten\n"), version("1.9.0", "- nine\n"), version("1.2.0", "- two\n")], "1.1.0", "1.10.0");
    expect(entries.map((entry) => entry.version)).toEqual(["1.10.0", "1.9.0", "1.2.0"]);
  });

  it("skips an annotation that is not a YAML list, and entries without a description", () => {
    const odd = [version("1.0.1", "kind: added\n"), version("1.0.2", "- [broken\n"), version("1.0.3", "- kind: added\n- description: ''\n- 3\n")];
    expect(changelogBetween(odd, "1.0.0", "1.0.3")).toEqual([]);
  });
});
