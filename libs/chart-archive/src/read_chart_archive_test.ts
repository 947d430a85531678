import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { rejectionOf } from "@charthouse/testing";
import { readChartArchive } from "./read_chart_archive.ts";

const data = new URL("../../../../shared/data/", import.meta.url);

async function readData(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(new URL(path, data)));
}


describe("readChartArchive() on real chart archives", () => {
  it("reads a `helm create` chart: Chart.yaml fields, values.yaml and no README", async () => {
    const chart = await readChartArchive(await readData("charts/uditha/firstchart-0.1.0.tgz"));
    expect(chart.chartName).toBe("firstchart");
    expect(chart.version).toBe("0.1.0");
    expect(chart.apiVersion).toBe("v2");
    expect(chart.chartYaml).toEqual({
      apiVersion: "v2",
      appVersion: "1.16.0",
      description: "A Helm chart for Kubernetes",
      name: "firstchart",
      type: "application",
      version: "0.1.0",
    });
    expect(chart.readme).toBeNull();
    expect(chart.values).toMatch(/^# Default values for firstchart\.\n/);
    expect(chart.values).toContain("replicaCount: 1");
    expect(chart.valuesSchema).toBeNull();
    expect(chart.valuesSchemaError).toBeNull();
    expect(chart.files).toBe(11);
    expect(chart.unpackedBytes).toBe(11_966);
  });

  it("reads an archive whose top folder is `./` and ignores the subchart .tgz in charts/", async () => {
    const chart = await readChartArchive(await readData("charts/argo-helm/argo-0.1.0.tgz"));
    expect(chart.chartName).toBe("argo");
    expect(chart.version).toBe("0.1.0");
    expect(chart.values).toMatch(/^imagesNamespace: argoproj\n/);
    expect(chart.readme).toBeNull();
    // charts/minio-0.4.3.tgz is counted as a file, not opened.
    expect(chart.files).toBe(12);
  });

  it("finds a README named readme.MD", async () => {
    const chart = await readChartArchive(await readData("charts/ibm/ibm-monetdb-4.1.2.tgz"));
    expect(chart.readme).toContain("## Install MonetDb (dedicated page)");
  });

  it("prefers README.md over README-AWS.md", async () => {
    const chart = await readChartArchive(await readData("charts/ibm/sysdig-1.4.3.tgz"));
    expect(chart.readme).toMatch(/^# Sysdig\n/);
    expect(chart.apiVersion).toBe("v1");
  });

  it("parses values.schema.json and keeps a `+` version, in a chart without README", async () => {
    const chart = await readChartArchive(await readData("charts/ibm/openscale-10.1.3+20260519.234441.23.tgz"));
    expect(chart.version).toBe("10.1.3+20260519.234441.23");
    expect(chart.readme).toBeNull();
    expect(chart.valuesSchema).toMatchObject({ type: "object" });
    expect(chart.valuesSchemaError).toBeNull();
  });

  it("reads the top-level chart of epinio, not its four subcharts", async () => {
    const chart = await readChartArchive(await readData("charts/rancher/epinio-102.0.1+up1.6.2.tgz"));
    expect(chart.chartName).toBe("epinio");
    expect(chart.version).toBe("102.0.1+up1.6.2");
    expect(chart.chartYaml["appVersion"]).toBe("v1.6.2");
    expect(chart.chartYaml["annotations"]).toMatchObject({ "catalog.cattle.io/experimental": "true" });
    expect(chart.readme).toMatch(/^# Epinio Helm Chart\n/);
    expect(chart.values).toMatch(/^## Default values for Epinio Helm Chart\./);
    expect(chart.valuesSchema).toMatchObject({ type: "object" });
  });

  it("defaults apiVersion to v1 when Chart.yaml has none, and ignores subchart folders", async () => {
    const chart = await readChartArchive(await readData("charts/grafana/loki-stack-0.6.0.tgz"));
    expect(chart.apiVersion).toBe("v1");
    expect(chart.chartYaml["apiVersion"]).toBeUndefined();
    expect(chart.chartName).toBe("loki-stack");
    expect(chart.chartYaml["kubeVersion"]).toBe("^1.10.0-0");
    expect(chart.values).toBe("loki:\n  enabled: true\n\npromtail:\n  enabled: true\n\n");
  });

  it("reads Helm's frobnitz_backslash test chart", async () => {
    const chart = await readChartArchive(await readData("fixtures/helm-testdata-frobnitz_backslash-1.2.3.tgz"));
    expect(chart.chartName).toBe("frobnitz_backslash");
    expect(chart.version).toBe("1.2.3");
    expect(chart.readme).toMatch(/^# Frobnitz\n/);
  });

  it("strips the UTF-8 byte order mark of Chart.yaml, README.md and values.yaml", async () => {
    const chart = await readChartArchive(await readData("fixtures/helm-testdata-frobnitz_with_bom.tgz"));
    expect(chart.apiVersion).toBe("v1");
    expect(chart.chartName).toBe("frobnitz");
    expect(chart.readme).toMatch(/^# Frobnitz\n/);
    expect(chart.values).toMatch(/^# A values file contains configuration\./);
  });

  it("rejects a 0-byte archive as invalid_chart", async () => {
    const err = await rejectionOf(readChartArchive(await readData("fixtures/helm-testdata-corrupted-compressed-chart.tgz")));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/empty/);
  });

  it("rejects an empty gzipped tar: no Chart.yaml", async () => {
    const err = await rejectionOf(readChartArchive(await readData("fixtures/flux-testdata-empty.tgz")));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/no Chart\.yaml/);
  });

  it("rejects a chart whose name is a path (../../data/helmchart)", async () => {
    const err = await rejectionOf(readChartArchive(await readData("fixtures/flux-testdata-helmchart-badname-0.1.0.tgz")));
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toContain('"../../data/helmchart"');
  });

  it("refuses an archive over maxArchiveBytes before decompressing it", async () => {
    const bytes = await readData("charts/argo-helm/argo-cd-3.4.0.tgz");
    const err = await rejectionOf(readChartArchive(bytes, { maxArchiveBytes: 10_000 }));
    expect(err.code).toBe("too_large");
    expect(err.message).toContain("CHARTHOUSE_MAX_ARCHIVE_BYTES");
  });
});
