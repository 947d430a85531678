import { describe, expect, it } from "vitest";
import { parseArchiveEntryPath } from "./archive_entry_path.ts";

describe("parseArchiveEntryPath()", () => {
  it("splits the top folder from the path inside it", () => {
    expect(parseArchiveEntryPath("nginx/templates/deployment.yaml")).toEqual({ top: "nginx", path: "templates/deployment.yaml" });
    expect(parseArchiveEntryPath("nginx/")).toEqual({ top: "nginx", path: "" });
  });

  it("treats `./` as the top folder and drops empty and `.` segments", () => {
    expect(parseArchiveEntryPath("./values.yaml")).toEqual({ top: ".", path: "values.yaml" });
    expect(parseArchiveEntryPath("nginx//./templates/x.yaml")).toEqual({ top: "nginx", path: "templates/x.yaml" });
  });

  it("reads Windows backslashes as separators", () => {
    expect(parseArchiveEntryPath("nginx\\templates\\x.yaml")).toEqual({ top: "nginx", path: "templates/x.yaml" });
  });

  it.each(["/etc/passwd", "\\etc\\passwd", "C:/x", "c:\\x", "nginx/C:/x", "../x", "nginx/../../x", "nginx\\..\\x", ""])(
    "refuses %j",
    (name) => {
      expect(() => parseArchiveEntryPath(name)).toThrow(/Cannot read chart archive/);
    },
  );
});
