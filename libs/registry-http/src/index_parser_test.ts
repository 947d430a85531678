import { readFileSync } from "node:fs";
import { load, FAILSAFE_SCHEMA } from "js-yaml";
import { describe, expect, it } from "vitest";
import { InputError, TooLargeError } from "@charthouse/errors";
import { parseIndex } from "./index_parser.ts";
import type { IndexChartVersion, ParsedIndex } from "./index_model.ts";

const DATA = new URL("../../../../shared/data/", import.meta.url);

interface ManifestRecord {
  file: string;
  analysis?: { versions: number; deprecated: number; charts: number };
}

const manifest = JSON.parse(readFileSync(new URL("MANIFEST.json", DATA), "utf8")) as ManifestRecord[];
const analysed = manifest.filter((r) => r.analysis !== undefined);

function read(file: string): Buffer {
  return readFileSync(new URL(file, DATA));
}

function versionsOf(index: ParsedIndex, chart: string): IndexChartVersion[] {
  const list = index.charts.get(chart);
  if (list === undefined) throw new Error(`chart ${chart} missing`);
  return list;
}

function find(index: ParsedIndex, chart: string, version: string): IndexChartVersion | undefined {
  return versionsOf(index, chart).find((v) => v.version === version);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

function expectInputError(fn: () => unknown, code: string, message: RegExp): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(InputError);
  expect((err as InputError).code).toBe(code);
  expect((err as InputError).message).toMatch(message);
}

describe("parseIndex() on the real indexes", () => {
  it("finds every index and fixture listed with statistics in MANIFEST.json", () => {
    expect(analysed.filter((r) => r.file.startsWith("indexes/")).length).toBe(17);
  });

  it.each(analysed.map((r) => [r.file, r] as const))("%s: counts match MANIFEST.json", (_file, record) => {
    const index = parseIndex(read(record.file));
    const expected = record.analysis;
    if (expected === undefined) throw new Error("no analysis");
    expect(index.versionCount + index.duplicates.length).toBe(expected.versions);
    expect(index.charts.size).toBe(expected.charts);
    const deprecated = [...index.charts.values()].flat().filter((v) => v.deprecated).length;
    expect(deprecated).toBe(expected.deprecated);
    expect(index.problems).toEqual([]);
  });

  it("keeps versions that are not strict semver exactly as written", () => {
    const ibm = parseIndex(read("indexes/ibm-charts-ibm-helm.index.yaml"));
    expect(find(ibm, "analyticsengine", "12.1.11+20260727.061213.2528")).toBeDefined();
    expect(find(ibm, "ibm-devops-build", "2.0.000")).toBeDefined();
    const components = parseIndex(read("indexes/ibm-charts-components.index.yaml"));
    expect(find(components, "ibm-watson-lt-prod", "1.2")).toBeDefined();
    expect(find(components, "ibm-wsl-environments-prod", "3.5.0079")).toBeDefined();
    expect(find(components, "ibm-wsl-runtime-addon-py36-prod", "3.5.0081+1539")).toBeDefined();
    const argo = parseIndex(read("indexes/argo-helm.index.yaml"));
    expect(find(argo, "argo-workflows", "0.46.00")).toBeDefined();
    const jupyter = parseIndex(read("indexes/jupyterhub-helm-chart.index.yaml"));
    expect(find(jupyter, "jupyterhub", "v0.6")).toBeDefined();
    expect(find(jupyter, "jupyterhub", "v0.6.0-fb64667")).toBeDefined();
    const grafana = parseIndex(read("indexes/grafana-helm-charts.index.yaml"));
    expect(find(grafana, "grafana-operator", "v5.20.0")).toBeDefined();
    const rancher = parseIndex(read("indexes/rancher-charts-dev-v2.9.index.yaml"));
    expect(find(rancher, "fleet", "0.3.000")).toBeDefined();
    expect(find(rancher, "elemental", "104.2.0+up1.6.4")?.urls).toEqual(["assets/elemental/elemental-104.2.0+up1.6.4.tgz"]);
  });

  it("lists grafana's duplicate versions and keeps the first of each", () => {
    const text = read("indexes/grafana-helm-charts.index.yaml");
    const index = parseIndex(text);
    expect(index.duplicates).toEqual(
      expect.arrayContaining([
        { chart: "alloy-operator", version: "0.2.6-beta.2" },
        { chart: "mimir-distributed", version: "5.6.0-weekly.314" },
      ]),
    );
    const tree = load(text.toString("utf8"), { schema: FAILSAFE_SCHEMA }) as { entries: Record<string, { version: string; digest: string }[]> };
    const first = tree.entries["alloy-operator"]?.find((v) => v.version === "0.2.6-beta.2");
    expect(find(index, "alloy-operator", "0.2.6-beta.2")?.digest).toBe(first?.digest);
    expect(versionsOf(index, "alloy-operator").filter((v) => v.version === "0.2.6-beta.2")).toHaveLength(1);
  });

  it("reads the full record of a version", () => {
    const index = parseIndex(read("indexes/argo-helm.index.yaml"));
    const argo = find(index, "argo", "1.0.0");
    expect(argo).toMatchObject({
      name: "argo",
      appVersion: "v2.12.5",
      created: "2021-05-21T13:04:19.360025134Z",
      deprecated: true,
      description: "A Helm chart for Argo Workflows",
      digest: "51f889dca3437fb4e0a27816f6a473a9358828dbf6f85564b7991fa1458055c2",
      home: "https://github.com/argoproj/argo-helm",
      urls: ["argo-1.0.0.tgz"],
      apiVersion: "v2",
      type: null,
    });
    expect(argo?.metadata.dependencies).toEqual([{ name: "minio", version: "8.0.9", repository: "https://helm.min.io/", condition: "minio.install" }]);
    expect(index.generated).toBe("2026-07-02T19:19:04.653416281Z");
    expect(index.apiVersion).toBe("v1");
  });

  it("defaults a missing chart apiVersion to v1, as Helm does", () => {
    const index = parseIndex(read("indexes/ibm-charts-entitled.index.yaml"));
    const apiVersions = new Set([...index.charts.values()].flat().map((v) => v.apiVersion));
    expect([...apiVersions].sort()).toEqual(["v1", "v2"]);
  });

  it("reads the hand-written 2017 argo index (---, no urls, digest or created)", () => {
    const index = parseIndex(read("indexes/argo-helm-first-2017.index.yaml"));
    expect(index.generated).toBeNull();
    expect(versionsOf(index, "argo-lite")).toEqual([
      expect.objectContaining({ version: "0.1.0", urls: [], digest: null, created: null, apiVersion: "v1", keywords: ["workflow", "ci"] }),
    ]);
  });

  it("reads the ChartMuseum fixture: sha256: digests, serverInfo, a version without urls", () => {
    const index = parseIndex(read("fixtures/helm-testdata-chartmuseum-index.yaml"));
    expect(index.versionCount).toBe(4);
    expect(find(index, "nginx", "0.2.0")?.digest).toBe("1234567890abcdef");
    expect(find(index, "chartWithNoURL", "1.0.0")?.urls).toEqual([]);
    expect(find(index, "alpine", "1.0.0")?.urls).toHaveLength(2);
  });

  it.each(["fixtures/helm-testdata-local-index.json", "fixtures/flux-testdata-chartmuseum-index.json"])("reads the JSON index %s", (file) => {
    const index = parseIndex(read(file));
    expect(find(index, "alpine", "1.0.0")?.urls).toHaveLength(2);
    expect(find(index, "chartWithNoURL", "1.0.0")?.urls).toEqual([]);
    expect(find(index, "nginx", "0.1.0")?.digest).toBe("1234567890abcdef");
  });

  it("gives the same records for a block-style index and the same index as JSON", () => {
    const text = read("indexes/rancher-charts-release-v2.5.index.yaml");
    const asJson = JSON.stringify(load(text.toString("utf8"), { schema: FAILSAFE_SCHEMA }));
    expect(parseIndex(asJson)).toEqual(parseIndex(text));
  });
});

describe("parseIndex() on odd but valid layouts", () => {
  const entry = (name: string, version: string, extra = ""): string =>
    `  - name: ${name}\n    version: ${version}\n    urls:\n    - ${name}-${version}.tgz\n${extra}`;

  it("accepts a BOM, a leading --- and CRLF line ends", () => {
    const body = `\uFEFF---\r\napiVersion: v1\r\nentries:\r\n  nginx:\r\n${entry("nginx", "1.0.0").replaceAll("\n", "\r\n")}`;
    const index = parseIndex(body);
    expect(find(index, "nginx", "1.0.0")?.urls).toEqual(["nginx-1.0.0.tgz"]);
  });

  it("keeps charts without versions (null, [] or nothing)", () => {
    const index = parseIndex(`apiVersion: v1\nentries:\n  a: null\n  b: []\n  c:\n  d: ~\n  e:\n${entry("e", "1.0.0")}`);
    expect([...index.charts.keys()]).toEqual(["a", "b", "c", "d", "e"]);
    expect(versionsOf(index, "a")).toEqual([]);
    expect(index.versionCount).toBe(1);
  });

  it("accepts empty entries (an empty repository)", () => {
    expect(parseIndex("apiVersion: v1\nentries: {}\n").charts.size).toBe(0);
    expect(parseIndex("apiVersion: v1\nentries:\ngenerated: x\n").charts.size).toBe(0);
  });

  it("turns deprecated strings into booleans", () => {
    const body = `apiVersion: v1\nentries:\n  a:\n${entry("a", "1.0.0", '    deprecated: "true"\n')}${entry("a", "0.9.0", "    deprecated: false\n")}`;
    const index = parseIndex(body);
    expect(versionsOf(index, "a").map((v) => v.deprecated)).toEqual([true, false]);
  });

  it("parses charts with quoted keys, inline values and comments", () => {
    const body = `apiVersion: v1\n# comment\nentries:\n  # a comment\n  "quoted":\n${entry("quoted", "1.0.0")}  inline: [{name: inline, version: 2.0.0}]\n  commented: # note\n${entry("commented", "3.0.0")}`;
    const index = parseIndex(body);
    expect(versionsOf(index, "quoted")).toHaveLength(1);
    expect(find(index, "inline", "2.0.0")).toBeDefined();
    expect(find(index, "commented", "3.0.0")).toBeDefined();
  });

  it("falls back to a whole-document parse for flow style and for anchors shared across charts", () => {
    const flow = parseIndex(`{apiVersion: v1, entries: {a: [{name: a, version: "1.0"}]}}`);
    expect(find(flow, "a", "1.0")).toBeDefined();
    const shared = `apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    maintainers: &team\n    - name: Team\n  b:\n  - name: b\n    version: 1.0.0\n    maintainers: *team\n`;
    expect(find(parseIndex(shared), "b", "1.0.0")?.metadata.maintainers).toEqual([{ name: "Team" }]);
  });

  it("resolves aliases inside one chart with the guarded parser", () => {
    const body = `apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    keywords: &k [x, y]\n  - name: a\n    version: 0.9.0\n    keywords: *k\n`;
    expect(versionsOf(parseIndex(body), "a").map((v) => v.keywords)).toEqual([
      ["x", "y"],
      ["x", "y"],
    ]);
  });

  it("slices a chart with many versions and still reports the right line", () => {
    const lines = ["apiVersion: v1", "entries:", "  big:"];
    for (let i = 0; i < 3000; i++) lines.push(`  - name: big`, `    version: 1.0.${i}`, `    description: ${"x".repeat(200)}`);
    expect(parseIndex(lines.join("\n")).versionCount).toBe(3000);
    lines[3 + 3 * 2500 + 2] = "    description: [unclosed";
    expectInputError(() => parseIndex(lines.join("\n")), "invalid_index", new RegExp(`line ${3 + 3 * 2500 + 3 + 1}`));
  });

  it("decodes invalid UTF-8 with replacement characters", () => {
    const head = Buffer.from("apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    description: caf");
    const body = Buffer.concat([head, Buffer.from([0xe9, 0x0a])]);
    expect(find(parseIndex(body), "a", "1.0.0")?.description).toBe("caf\uFFFD");
  });

  it("caps the description and the metadata", () => {
    const body = `apiVersion: v1\nentries:\n  a:\n${entry("a", "1.0.0", `    description: ${"d".repeat(10_000)}\n    annotations:\n${Array.from({ length: 40 }, (_, i) => `      k${i}: ${"v".repeat(3000)}\n`).join("")}`)}`;
    const version = find(parseIndex(body), "a", "1.0.0");
    expect(version?.description).toHaveLength(4096);
    expect(version?.metadata.truncated).toBe(true);
    expect(JSON.stringify(version?.metadata).length).toBeLessThan(20_000);
  });
});

describe("parseIndex() on bad entries", () => {
  it("skips bad entries, lists them with their path, and keeps the rest", () => {
    const body = [
      "apiVersion: v1",
      "entries:",
      "  nginx:",
      "  - name: nginx",
      "    version: 1.0.0",
      "  - name: nginx",
      '    version: ""',
      "  - name: nginx",
      "  - name: other",
      "    version: 2.0.0",
      "  - name: nginx",
      "    version: 3.0.0",
      "    digest: not-hex",
      "  - just a string",
      "  ../evil:",
      "  - name: ../evil",
      "    version: 1.0.0",
    ].join("\n");
    const index = parseIndex(body, { source: "my-charts" });
    expect(versionsOf(index, "nginx").map((v) => v.version)).toEqual(["1.0.0"]);
    expect(index.charts.has("../evil")).toBe(false);
    expect(index.problems.map((p) => p.message)).toEqual([
      "entries.nginx[1].version is empty",
      "entries.nginx[2].version is missing",
      'entries.nginx[3].name "other" does not match the chart name "nginx"',
      'entries.nginx[4].digest "not-hex" is not a hex sha256 digest',
      "entries.nginx[5] is not a map",
      'entries.../evil has an invalid chart name "../evil"; its versions are skipped',
    ]);
    expect(index.problems[0]?.path).toBe("entries.nginx[1]");
  });

  it("notes a missing apiVersion and assumes v1", () => {
    const index = parseIndex("entries:\n  a: []\n");
    expect(index.apiVersion).toBe("v1");
    expect(index.problems).toEqual([{ path: "apiVersion", message: "apiVersion is missing; v1 is assumed" }]);
  });
});

describe("parseIndex() on hostile and broken bodies", () => {
  const laughs = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
    "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
  ];

  it("refuses a billion-laughs document quickly", () => {
    const started = performance.now();
    expectInputError(() => parseIndex(`apiVersion: v1\n${laughs.join("\n")}\nentries:\n  x: *i\n`), "invalid_index", /alias/i);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("refuses a billion-laughs bomb hidden inside one chart", () => {
    const body = `apiVersion: v1\nentries:\n  x:\n  - name: x\n    version: 1.0.0\n    annotations:\n${laughs.map((l) => `      ${l}`).join("\n")}\n`;
    const started = performance.now();
    expectInputError(() => parseIndex(body), "invalid_index", /alias/i);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("says an HTML page is not a Helm repository", () => {
    expectInputError(() => parseIndex("<!DOCTYPE html>\n<html><body>Sign in</body></html>"), "not_a_helm_repository", /HTML/);
    expectInputError(() => parseIndex("\n  <html lang=en><head>"), "not_a_helm_repository", /HTML/);
  });

  it("says a JSON answer without entries (Harbor, OCI) is not a Helm repository", () => {
    expectInputError(() => parseIndex('{"repositories":["library/nginx"]}'), "not_a_helm_repository", /entries/);
    expectInputError(() => parseIndex('[{"name":"library","project_id":1}]'), "not_a_helm_repository", /entries/);
  });

  it("reports broken YAML as invalid_index with a location", () => {
    expectInputError(
      () => parseIndex("apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: [1.0\n"),
      "invalid_index",
      /^Cannot parse index\.yaml: line \d+, column \d+/,
    );
    expectInputError(() => parseIndex("apiVersion: v1\n\tentries: {}\n"), "invalid_index", /line 2/);
  });

  it.each([
    ["not YAML at all", "just some text", /top level is not a map/],
    ["a list", "- a\n- b\n", /top level is not a map/],
    ["no entries", "apiVersion: v1\ngenerated: x\n", /no entries key/],
    ["entries as a list", "apiVersion: v1\nentries:\n- a\n", /entries is not a map/],
    ["an empty body", "", /empty/],
    ["a gzip body", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), /gzip/],
  ])("refuses %s with invalid_index", (_what, body, message) => {
    expectInputError(() => parseIndex(body), "invalid_index", message);
  });

  it("names the source in messages", () => {
    expectInputError(() => parseIndex("apiVersion: v1\n", { source: "my-charts" }), "invalid_index", /^Cannot parse index\.yaml of "my-charts": /);
  });

  it("refuses more versions than maxVersions", () => {
    const body = `apiVersion: v1\nentries:\n  a:\n${Array.from({ length: 11 }, (_, i) => `  - name: a\n    version: 1.0.${i}\n`).join("")}`;
    const err = thrown(() => parseIndex(body, { maxVersions: 10 }));
    expect(err).toBeInstanceOf(TooLargeError);
    expect((err as TooLargeError).message).toMatch(/CHARTHOUSE_MAX_INDEX_VERSIONS|more than 10/);
    expect((err as TooLargeError).solution).toMatch(/CHARTHOUSE_MAX_INDEX_VERSIONS/);
    expect(parseIndex(body, { maxVersions: 11 }).versionCount).toBe(11);
  });
});
