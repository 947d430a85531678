import { describe, expect, it } from "vitest";
import { suggestRegistryName } from "./registry_name.ts";

describe("suggestRegistryName()", () => {
  it("takes the last path segment of the URL", () => {
    expect(suggestRegistryName("https://argoproj.github.io/argo-helm")).toBe("argo-helm");
    expect(suggestRegistryName("https://harbor.example.com/chartrepo/team-a/")).toBe("team-a");
  });

  it("keeps the parent of a generic last segment, and uses the host without a path", () => {
    expect(suggestRegistryName("oci://ghcr.io/acme/charts")).toBe("acme-charts");
    expect(suggestRegistryName("https://charts.example.com")).toBe("charts-example");
    expect(suggestRegistryName("http://127.0.0.1:8080/")).toBe("127.0.0.1");
  });

  it("suggests nothing for text that is not a URL", () => {
    expect(suggestRegistryName("charts")).toBe("");
  });
});
