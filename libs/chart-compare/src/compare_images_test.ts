import { describe, expect, it } from "vitest";
import { compareImages } from "./compare_images.ts";
import { splitImageReference } from "./image_reference.ts";

describe("compareImages()", () => {
  it("reports a new tag of the same repository as changed, not added plus removed", () => {
    expect(compareImages(["nginx:1.25"], ["nginx:1.27", "redis:7.2"])).toEqual({
      from: ["nginx:1.25"],
      to: ["nginx:1.27", "redis:7.2"],
      added: ["redis:7.2"],
      removed: [],
      changed: [{ repository: "nginx", old: "1.25", new: "1.27" }],
    });
  });

  it("pairs old and new images of one repository in order and reports the rest", () => {
    const diff = compareImages(["app:1", "app:2", "gone:1", "same:1"], ["app:3", "same:1", "registry:5000/team/app:1"]);
    expect(diff.changed).toEqual([{ repository: "app", old: "1", new: "3" }]);
    expect(diff.removed).toEqual(["app:2", "gone:1"]);
    expect(diff.added).toEqual(["registry:5000/team/app:1"]);
  });

  it("gives an empty diff for the same images in another order", () => {
    const diff = compareImages(["b:1", "a:1"], ["a:1", "b:1", "a:1"]);
    expect(diff).toEqual({ from: ["a:1", "b:1"], to: ["a:1", "b:1"], added: [], removed: [], changed: [] });
  });
});

describe("splitImageReference()", () => {
  it("tells a registry port from a tag and keeps a digest", () => {
    expect(splitImageReference("registry:5000/team/app")).toEqual({ repository: "registry:5000/team/app", version: "" });
    expect(splitImageReference("registry:5000/team/app:1.2")).toEqual({ repository: "registry:5000/team/app", version: "1.2" });
    expect(splitImageReference("app@sha256:abc")).toEqual({ repository: "app", version: "sha256:abc" });
    expect(splitImageReference("app:1@sha256:abc")).toEqual({ repository: "app", version: "1@sha256:abc" });
  });
});
