import { describe, expect, it } from "vitest";
import { resolveChartUrl } from "./chart_url.ts";

describe("resolveChartUrl()", () => {
  it("keeps absolute URLs as written", () => {
    const url = "https://github.com/grafana/helm-charts/releases/download/loki-6.0.0/loki-6.0.0.tgz";
    expect(resolveChartUrl("https://grafana.github.io/helm-charts", url)).toBe(url);
    expect(resolveChartUrl("https://h/repo", "oci://ghcr.io/x/y:1.0.0")).toBe("oci://ghcr.io/x/y:1.0.0");
  });

  it("resolves argo's relative URLs against the repository folder", () => {
    expect(resolveChartUrl("https://argoproj.github.io/argo-helm", "argo-0.1.0.tgz")).toBe("https://argoproj.github.io/argo-helm/argo-0.1.0.tgz");
    expect(resolveChartUrl("https://argoproj.github.io/argo-helm/", "argo-0.1.0.tgz")).toBe("https://argoproj.github.io/argo-helm/argo-0.1.0.tgz");
  });

  it("accepts the index.yaml URL as well as the repository URL", () => {
    expect(resolveChartUrl("https://h/chartrepo/lib/index.yaml", "charts/x-1.tgz")).toBe("https://h/chartrepo/lib/charts/x-1.tgz");
    expect(resolveChartUrl("https://h/chartrepo/lib", "charts/x-1.tgz")).toBe("https://h/chartrepo/lib/charts/x-1.tgz");
  });

  it("resolves rancher's assets/<chart>/ subfolder URLs with + in the file name", () => {
    expect(resolveChartUrl("https://charts.rancher.io", "assets/elemental/elemental-104.2.0+up1.6.4.tgz")).toBe(
      "https://charts.rancher.io/assets/elemental/elemental-104.2.0+up1.6.4.tgz",
    );
  });

  it("resolves IBM's broken --help/ URLs the way Helm does", () => {
    expect(resolveChartUrl("https://raw.githubusercontent.com/IBM/charts/master/repo/components/", "--help/ibm-watson-aiops-prod-1.0.1.tgz")).toBe(
      "https://raw.githubusercontent.com/IBM/charts/master/repo/components/--help/ibm-watson-aiops-prod-1.0.1.tgz",
    );
  });

  it("resolves root-relative and parent paths like Go's ResolveReference", () => {
    expect(resolveChartUrl("https://h/a/b", "/charts/x-1.tgz")).toBe("https://h/charts/x-1.tgz");
    expect(resolveChartUrl("https://h/a/b", "../x-1.tgz")).toBe("https://h/a/x-1.tgz");
  });

  it("puts the repository's query string on relative chart URLs, as Helm does", () => {
    expect(resolveChartUrl("https://h/repo?token=abc", "x-1.tgz")).toBe("https://h/repo/x-1.tgz?token=abc");
    expect(resolveChartUrl("https://h/repo", "x-1.tgz?sig=1")).toBe("https://h/repo/x-1.tgz");
    expect(resolveChartUrl("https://h/repo?token=abc", "https://cdn/x-1.tgz?sig=1")).toBe("https://cdn/x-1.tgz?sig=1");
  });

  it("refuses a repository URL that is not a URL", () => {
    expect(() => resolveChartUrl("not a url", "x.tgz")).toThrow(/not a URL/);
  });
});
