import { describe, expect, it } from "vitest";
import { CharthouseError } from "@charthouse/errors";
import { parseChartYaml } from "./chart_yaml.ts";

function failureOf(text: string): CharthouseError {
  try {
    parseChartYaml(text);
  } catch (err) {
    if (err instanceof CharthouseError) return err;
    throw err;
  }
  throw new Error("expected parseChartYaml() to throw");
}

describe("parseChartYaml()", () => {
  it("keeps version, appVersion and kubeVersion exactly as written", () => {
    const chart = parseChartYaml("name: demo\nversion: 0.10\nappVersion: 1.20\nkubeVersion: 1.2\n");
    expect(chart.version).toBe("0.10");
    expect(chart.chartYaml).toMatchObject({ version: "0.10", appVersion: "1.20", kubeVersion: "1.2" });
  });

  it("keeps v-prefixed and integer versions as strings", () => {
    expect(parseChartYaml("name: demo\nversion: v0.6\n").version).toBe("v0.6");
    expect(parseChartYaml("name: demo\nversion: 1\nappVersion: 007\n").chartYaml).toMatchObject({
      version: "1",
      appVersion: "007",
    });
  });

  it("keeps booleans, numbers and lists typed outside the string fields", () => {
    const chart = parseChartYaml("name: demo\nversion: 1.0.0\ndeprecated: true\nkeywords: [a, b]\nweight: 3\n");
    expect(chart.chartYaml).toEqual({
      name: "demo",
      version: "1.0.0",
      deprecated: true,
      keywords: ["a", "b"],
      weight: 3,
    });
  });

  it("keeps annotation values as strings, as Helm's map[string]string does", () => {
    const chart = parseChartYaml("name: demo\nversion: 1.0.0\nannotations:\n  min: 1.10\n  flag: true\n");
    expect(chart.chartYaml["annotations"]).toEqual({ min: "1.10", flag: "true" });
  });

  it("defaults apiVersion to v1 and keeps v2", () => {
    expect(parseChartYaml("name: demo\nversion: 1.0.0\n").apiVersion).toBe("v1");
    expect(parseChartYaml("apiVersion: v2\nname: demo\nversion: 1.0.0\n").apiVersion).toBe("v2");
  });

  it("refuses a document without name or version", () => {
    expect(failureOf("version: 1.0.0\n").message).toMatch(/name is missing/);
    expect(failureOf("name: demo\nversion:\n").message).toMatch(/version is missing/);
    expect(failureOf("name: demo\nversion: [1]\n").code).toBe("invalid_chart");
  });

  it.each(["../../data/helmchart", "a/b", "a\\b", "..", "."])("refuses the chart name %j", (name) => {
    const err = failureOf(`name: ${JSON.stringify(name)}\nversion: 1.0.0\n`);
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toContain("is not a valid chart name");
  });

  it("refuses YAML that is not a mapping or does not parse", () => {
    expect(failureOf("- name: demo\n").message).toMatch(/not a YAML mapping/);
    expect(failureOf("name: [demo\n").message).toMatch(/^Cannot parse Chart\.yaml/);
  });

  it("stops an alias bomb", () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i += 1) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      levels.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const err = failureOf(`name: demo\nversion: 1.0.0\n${levels.join("\n")}\n`);
    expect(err.code).toBe("invalid_chart");
    expect(err.message).toMatch(/alias/i);
  });
});
