// Every real index.yaml of shared/data/indexes (and the crafted JSON/YAML index fixtures) served
// by one nginx and synced, each as its own registry, by a stack of registry-api + index-fetcher
// only: the archives (mostly absolute URLs to GitHub release assets and the like) are never
// downloaded, so this is the index path alone, at real-world size, through the REST API.
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { load } from "js-yaml";
import semver from "semver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeTempDir, startNginx, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import type { ChartJson, ChartVersionJson, RegistryJson } from "@charthouse/api-types";
import { addRegistry, getVersion, listAll, registryWhen } from "./support/api_waits.ts";
import { queuedDownloadRequests } from "./support/download_requests.ts";

const dataDir = new URL("../../shared/data/", import.meta.url).pathname;

interface ManifestRecord {
  file: string;
  analysis?: {
    versions: number;
    duplicate_versions: number;
    helm_invalid_version: number;
    invalid_chart_name: number;
    null_entries: number;
    name_mismatch: number;
    deprecated: number;
  };
}

/**
 * Versions each index keeps, per file, from MANIFEST.json's `analysis`:
 *
 *   kept = versions - duplicate_versions - (entries the parser skips)
 *
 * What index_parser.ts skips: an entry under an invalid chart name (`/`, `\`, `..`, control
 * characters: `invalid_chart_name`), an entry that is not a map (`null_entries`), one without
 * `version` or `name`, one whose `name` differs from its chart key (`name_mismatch`), one whose
 * digest is not hex; a second entry with the same version is a duplicate (the first is kept).
 * A version Helm's semver cannot read (`helm_invalid_version`) is NOT skipped by the parser; it is
 * stored and sorted after the others. For every file here helm_invalid_version, invalid_chart_name,
 * null_entries and name_mismatch are 0 (asserted below), so kept = versions - duplicate_versions:
 * only grafana changes (3,591 - 2 duplicates with different digests = 3,589).
 */
const expectedVersions: Record<string, number> = {
  "argo-helm-first-2017": 1, // 1 hand-written entry, no urls, no digest
  "argo-helm": 1628, // 1,628 - 0
  "artifacthub-docs-chart": 21,
  "aws-eks-charts": 449, // 28 `v`-prefixed versions all kept
  "grafana-helm-charts": 3589, // 3,591 - 2 duplicates (alloy-operator 0.2.6-beta.2, mimir-distributed 5.6.0-weekly.314)
  "ibm-charts-community": 69,
  "ibm-charts-components": 205, // `1.2`, `3.5.0079`, `3.5.0081+1539` all kept
  "ibm-charts-entitled": 110,
  "ibm-charts-ibm-helm": 3254, // 1,637 `+build` versions all kept
  "ibm-charts-samples": 11,
  "ibm-charts-stable": 245,
  "jupyterhub-helm-chart": 1775, // 177 `v` versions, `v0.6` included
  "k8s-at-home-charts-2022-05-01": 4095,
  "opentelemetry-helm-charts": 1014,
  "rancher-charts-dev-v2.9": 1102,
  "rancher-charts-release-v2.5": 198,
  "uditha-gitchartrepo": 1,
  // Crafted fixtures (helm and flux testdata): JSON bodies, ChartMuseum layout, `sha256:` digests.
  "fixture-flux-testdata-chartmuseum-index": 5, // JSON
  "fixture-helm-testdata-local-index": 4, // JSON
  "fixture-helm-testdata-chartmuseum-index": 4, // YAML, serverInfo, one entry without urls
};

/** Files served: stem -> source path. */
const sources = new Map<string, string>();

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;
let root: string;
let manifest: ManifestRecord[];
const registryIds = new Map<string, string>();
const synced = new Map<string, RegistryJson>();

/** A real index read independently of the product's parser (js-yaml, the whole tree). */
async function indexTree(stem: string): Promise<{ entries: Record<string, Record<string, unknown>[]> }> {
  return load(await readFile(sources.get(stem)!, "utf8")) as { entries: Record<string, Record<string, unknown>[]> };
}

function entryOf(tree: Awaited<ReturnType<typeof indexTree>>, chart: string, version: string): Record<string, unknown> {
  const entry = tree.entries[chart]?.find((e) => String(e["version"]) === version);
  if (!entry) throw new Error(`${chart}@${version} is not in the index`);
  return entry;
}

beforeAll(async () => {
  manifest = JSON.parse(await readFile(join(dataDir, "MANIFEST.json"), "utf8")) as ManifestRecord[];
  root = await makeTempDir("real-indexes");
  for (const record of manifest) {
    const m = /^(indexes|fixtures)\/(.+?)(?:\.index)?\.(yaml|json)$/.exec(record.file);
    if (!m || record.analysis === undefined) continue;
    const stem = m[1] === "fixtures" ? `fixture-${m[2]}` : (m[2] as string);
    sources.set(stem, join(dataDir, record.file));
  }
  expect([...sources.keys()].sort()).toEqual(Object.keys(expectedVersions).sort());
  for (const [stem, path] of sources) {
    await mkdir(join(root, stem));
    // Helm always asks for index.yaml; a JSON body there is still an index (JSON is YAML).
    await copyFile(path, join(root, stem, "index.yaml"));
  }
  nginx = await startNginx({ root, gzip: true });
  charthouse = await startCharthouse({ only: ["registry-api", "index-fetcher"] });
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
  if (root) await removeTempDir(root);
});

describe("the real indexes of shared/data, each added as a registry", () => {
  it("each sync ends `updated` with the number of versions MANIFEST.json's analysis predicts", async () => {
    for (const record of manifest) {
      const a = record.analysis;
      if (a === undefined) continue;
      // The entries Helm cannot load would be skipped; there are none in these files.
      expect([a.helm_invalid_version, a.invalid_chart_name, a.null_entries, a.name_mismatch], record.file).toEqual([0, 0, 0, 0]);
    }
    const started = Date.now();
    for (const stem of sources.keys()) registryIds.set(stem, await addRegistry(charthouse, stem, `${nginx.url}/${stem}/`));
    for (const [stem, id] of registryIds) {
      const registry = await registryWhen(
        charthouse,
        id,
        (r) => r.status.last_outcome !== null && r.status.state !== "syncing",
        `the first sync of ${stem}`,
        90_000,
      );
      synced.set(stem, registry);
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`${sources.size} indexes synced in ${seconds.toFixed(1)} s`);

    const byFile = Object.fromEntries(
      manifest
        .filter((r) => r.analysis !== undefined)
        .map((r) => [r.file, r.analysis!.versions - r.analysis!.duplicate_versions] as const),
    );
    for (const [stem, registry] of synced) {
      expect({ stem, outcome: registry.status.last_outcome, state: registry.status.state, error: registry.status.last_error }).toEqual({
        stem,
        outcome: "updated",
        state: "ok",
        error: null,
      });
      expect({ stem, versions: registry.status.versions }).toEqual({ stem, versions: expectedVersions[stem] });
      const file = [...Object.keys(byFile)].find((f) => sources.get(stem)!.endsWith(f))!;
      expect(registry.status.versions, `${stem}: analysis.versions - analysis.duplicate_versions`).toBe(byFile[file]);
    }
    // The chart counts agree with the analysis too (every chart has at least one kept version).
    expect(synced.get("ibm-charts-ibm-helm")!.status.charts).toBe(341);
    expect(synced.get("grafana-helm-charts")!.status.charts).toBe(41);
    expect(synced.get("k8s-at-home-charts-2022-05-01")!.status.charts).toBe(206);
  });

  it("keeps v-prefixed, leading-zero, two-part and +build versions verbatim", async () => {
    const cases: [string, string, string][] = [
      ["grafana-helm-charts", "grafana-operator", "v5.20.0"],
      ["aws-eks-charts", "aws-efa-k8s-device-plugin", "v0.5.30"],
      ["jupyterhub-helm-chart", "jupyterhub", "v0.6"],
      ["jupyterhub-helm-chart", "jupyterhub", "v0.6.0-fb64667"],
      ["ibm-charts-ibm-helm", "ibm-devops-build", "2.0.000"],
      ["ibm-charts-ibm-helm", "analyticsengine", "12.1.11+20260727.061213.2528"],
      ["argo-helm", "argo-workflows", "0.46.00"],
      ["rancher-charts-dev-v2.9", "fleet", "0.3.000"],
      ["rancher-charts-dev-v2.9", "elemental", "104.2.0+up1.6.4"],
      ["ibm-charts-components", "ibm-watson-lt-prod", "1.2"],
      ["ibm-charts-components", "ibm-wsl-environments-prod", "3.5.0079"],
      ["ibm-charts-components", "ibm-wsl-runtime-addon-py36-prod", "3.5.0081+1539"],
      ["ibm-charts-entitled", "ibm-apm-ema-prod", "1.1.0+hotfix.1"],
    ];
    for (const [stem, chart, version] of cases) {
      const found = await getVersion(charthouse, registryIds.get(stem)!, chart, version);
      expect(found.version, `${stem} ${chart}`).toBe(version);
      expect(found.state).toBe("discovered");
    }
    // The `+` is part of the version: the version without it is another (absent) version.
    const { status, body } = await charthouse.api<{ code: string }>(
      "GET",
      `/registries/${registryIds.get("ibm-charts-entitled")}/charts/ibm-apm-ema-prod/versions/1.1.0`,
    );
    expect(status).toBe(404);
    expect(body.code).toBe("not_found");
  });

  it("keeps the first of two entries with the same version (grafana's duplicates)", async () => {
    const id = registryIds.get("grafana-helm-charts")!;
    const tree = await indexTree("grafana-helm-charts");
    for (const [chart, version] of [
      ["alloy-operator", "0.2.6-beta.2"],
      ["mimir-distributed", "5.6.0-weekly.314"],
    ] as const) {
      const first = tree.entries[chart]!.filter((e) => String(e["version"]) === version);
      expect(first.length, `${chart}@${version} is listed twice`).toBe(2);
      expect(first[0]!["digest"]).not.toBe(first[1]!["digest"]);
      expect((await getVersion(charthouse, id, chart, version)).digest).toBe(first[0]!["digest"]);
      const listed = await listAll<ChartVersionJson>(charthouse, `/registries/${id}/charts/${chart}/versions`);
      expect(listed.filter((v) => v.version === version)).toHaveLength(1);
      expect(listed).toHaveLength(tree.entries[chart]!.length - 1);
    }
  });

  it("counts deprecated versions as the index marks them, and deprecated charts by their newest version", async () => {
    // analysis.deprecated counts entries with `deprecated: true`; the charts whose newest version is
    // deprecated were read from the files (Helm lists each chart's versions newest first).
    const expected: Record<string, { versions: number; charts: string[] }> = {
      "argo-helm": { versions: 5, charts: ["argo", "argo-ci", "argo-lite", "argocd-applicationset", "argocd-notifications"] },
      "aws-eks-charts": { versions: 1, charts: ["csi-secrets-store-provider-aws"] },
      "grafana-helm-charts": {
        versions: 28,
        charts: [
          "enterprise-logs", "enterprise-logs-simple", "enterprise-metrics", "fluent-bit", "grafana", "grafana-agent-operator",
          "grafana-mcp", "lgtm-distributed", "loki-canary", "loki-distributed", "loki-stack", "promtail",
          "synthetic-monitoring-agent", "tempo", "tempo-distributed", "tempo-vulture",
        ],
      },
      "ibm-charts-entitled": { versions: 1, charts: ["ibm-eventstreams-rhel-icp4i-prod"] },
      "ibm-charts-stable": { versions: 2, charts: [] },
      "k8s-at-home-charts-2022-05-01": {
        versions: 12,
        charts: [
          "bitwardenrs", "couchpotato", "dashmachine", "ddclient", "digitalocean-dyndns", "node-feature-discovery",
          "oauth2-proxy", "plex-media-server", "speedtest", "speedtest-prometheus", "zwave2mqtt",
        ],
      },
      "rancher-charts-dev-v2.9": { versions: 6, charts: ["sriov", "sriov-crd"] },
    };
    for (const [stem, want] of Object.entries(expected)) {
      const record = manifest.find((r) => sources.get(stem)!.endsWith(r.file))!;
      expect(want.versions, `${stem} analysis.deprecated`).toBe(record.analysis!.deprecated);
      const id = registryIds.get(stem)!;
      const charts = await listAll<ChartJson>(charthouse, `/registries/${id}/charts`);
      expect(charts.filter((c) => c.deprecated).map((c) => c.name), stem).toEqual(want.charts);
      let deprecatedVersions = 0;
      for (const chart of charts) {
        const versions = await listAll<ChartVersionJson>(charthouse, `/registries/${id}/charts/${chart.name}/versions`);
        expect(versions.length, `${stem} ${chart.name}`).toBe(chart.versions);
        deprecatedVersions += versions.filter((v) => v.deprecated).length;
      }
      expect(deprecatedVersions, `${stem} deprecated versions`).toBe(want.versions);
    }
    // argo-lite's only version is deprecated, and so is the chart.
    const argoLite = await charthouse.api<ChartJson>("GET", `/registries/${registryIds.get("argo-helm")}/charts/argo-lite`);
    expect(argoLite.body).toMatchObject({ name: "argo-lite", deprecated: true, versions: 1, latest_version: "0.1.0" });
  });

  it("lists a chart's versions newest first by semver, two-part `v0.6` read the way Helm reads it (jupyterhub)", async () => {
    const id = registryIds.get("jupyterhub-helm-chart")!;
    const tree = await indexTree("jupyterhub-helm-chart");
    const listed = (await listAll<ChartVersionJson>(charthouse, `/registries/${id}/charts/jupyterhub/versions`)).map((v) => v.version);
    expect(listed).toHaveLength(tree.entries["jupyterhub"]!.length);
    // Every version node-semver reads (a `v` prefix included) is in semver order, newest first,
    // ties (none here) by string.
    const isSemver = listed.filter((v) => semver.valid(v) !== null);
    const bySemver = [...isSemver].sort((a, b) => semver.rcompare(a, b) || (a < b ? 1 : a > b ? -1 : 0));
    expect(isSemver).toEqual(bySemver);
    // `v0.6` and `v0.4` are not semver.org versions, but Helm (Masterminds/semver) reads them as
    // 0.6.0 and 0.4.0, and so does Charthouse (libs/catalog/src/version_order.ts): each sits
    // just before its own pre-releases, not at the end. Versions nothing can read do go last: see
    // hostile_input_test.ts.
    expect(listed.filter((v) => semver.valid(v) === null).sort()).toEqual(["v0.4", "v0.6"]);
    expect(listed.slice(listed.indexOf("v0.6") - 1, listed.indexOf("v0.6") + 2)).toEqual(["0.7.0-beta.1", "v0.6", "v0.6.0-fb64667"]);
    expect(listed.at(-1)).toBe(bySemver.at(-1));
    const chart = await charthouse.api<ChartJson>("GET", `/registries/${id}/charts/jupyterhub`);
    expect(chart.body.latest_version).toBe(listed[0]);
    expect(listed[0]).toBe(bySemver[0]);
  });

  it("keeps relative chart URLs as listed and resolves them against the index URL for download", async () => {
    const relative: [string, string, string][] = [
      ["uditha-gitchartrepo", "firstchart", "0.1.0"],
      ["argo-helm", "argo", "0.1.0"],
      ["rancher-charts-dev-v2.9", "elemental", "104.2.0+up1.6.4"],
      ["rancher-charts-release-v2.5", "fleet", "0.3.000"],
      ["ibm-charts-components", "ibm-watson-aiops-prod", "1.0.1"],
    ];
    const requests = await queuedDownloadRequests(charthouse.natsUrl);
    for (const [stem, chart, version] of relative) {
      const listedUrls = (entryOf(await indexTree(stem), chart, version)["urls"] as string[]).map(String);
      expect(listedUrls[0], `${stem} ${chart}@${version} has a relative URL`).not.toMatch(/^[a-z]+:/);
      const stored = await getVersion(charthouse, registryIds.get(stem)!, chart, version);
      expect(stored.urls, `${stem} ${chart}@${version}`).toEqual(listedUrls);
      // What the chart-downloader would fetch: Helm's ResolveReferenceURL against the repository URL.
      const request = requests.find((r) => r.registryId === registryIds.get(stem) && r.chart === chart && r.version === version);
      expect(request?.url, `${stem} ${chart}@${version}`).toBe(new URL(listedUrls[0]!, `${nginx.url}/${stem}/`).href);
    }
    // An absolute URL is kept as it is.
    const absolute = requests.find((r) => r.registryId === registryIds.get("grafana-helm-charts") && r.chart === "grafana");
    expect(absolute?.url).toMatch(/^https:\/\/github\.com\/grafana\/helm-charts\/releases\/download\/grafana-/);
    // One request per version that has a usable URL: the whole queue is every version but the
    // 2017 one (no urls) and the three fixtures' `chartWithNoURL` entries (failed at once, below).
    const total = [...synced.values()].reduce((sum, r) => sum + r.status.versions, 0);
    const failed = [...synced.values()].reduce((sum, r) => sum + r.status.versions_failed, 0);
    expect(failed).toBe(4);
    expect(requests).toHaveLength(total - 4);
  });

  it("syncs the hand-written 2017 argo index: one version with no urls and no digest", async () => {
    const id = registryIds.get("argo-helm-first-2017")!;
    const charts = await listAll<ChartJson>(charthouse, `/registries/${id}/charts`);
    expect(charts.map((c) => [c.name, c.latest_version, c.versions])).toEqual([["argo-lite", "0.1.0", 1]]);
    const version = await getVersion(charthouse, id, "argo-lite", "0.1.0");
    expect(version).toMatchObject({ digest: null, urls: [], description: "Lighweight workflow engine for Kubernetes" });
    // Nothing to download: the version fails with invalid_index and says why.
    expect(version.state).toBe("failed");
    expect(version.error?.code).toBe("invalid_index");
    expect(version.error?.message).toContain("no usable download URL");
  });

  it("syncs JSON index files and a ChartMuseum index with sha256:-prefixed digests", async () => {
    for (const stem of ["fixture-flux-testdata-chartmuseum-index", "fixture-helm-testdata-local-index"]) {
      expect((await readFile(sources.get(stem)!, "utf8")).trimStart().startsWith("{"), stem).toBe(true);
    }
    const flux = registryIds.get("fixture-flux-testdata-chartmuseum-index")!;
    const charts = await listAll<ChartJson>(charthouse, `/registries/${flux}/charts`);
    expect(charts.map((c) => [c.name, c.versions])).toEqual([
      ["alpine", 1],
      ["chartWithNoURL", 1],
      ["nginx", 2],
      ["xChartWithDuplicateDependenciesAndMissingAlias", 1],
    ]);
    const alpine = await getVersion(charthouse, flux, "alpine", "1.0.0");
    expect(alpine.digest).toBe("1234567890abcdef");
    expect(alpine.urls).toEqual([
      "https://kubernetes-charts.storage.googleapis.com/alpine-1.0.0.tgz",
      "http://storage2.googleapis.com/kubernetes-charts/alpine-1.0.0.tgz",
    ]);
    expect((await getVersion(charthouse, flux, "chartWithNoURL", "1.0.0")).error?.code).toBe("invalid_index");

    const local = registryIds.get("fixture-helm-testdata-local-index")!;
    expect((await listAll<ChartJson>(charthouse, `/registries/${local}/charts`)).map((c) => c.name).sort()).toEqual(
      ["alpine", "chartWithNoURL", "nginx"].sort(),
    );
    const museum = registryIds.get("fixture-helm-testdata-chartmuseum-index")!;
    expect((await registryWhen(charthouse, museum, () => true, "the chartmuseum registry")).status.versions_failed).toBe(1);
  });
});
