// Real chart archives from shared/data/charts through every service: download, digest check,
// extraction. Each repository is a folder of one nginx, the way GitHub Pages serves them.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { dump, load } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes } from "@charthouse/errors";
import { makeTempDir, removeTempDir, runHelm, startNginx, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import type { ChartVersionJson, ProblemJson } from "@charthouse/api-types";
import { addRegistry, registrySettled, versionPath, versionSettled } from "./support/api_waits.ts";

const dataDir = new URL("../../shared/data/", import.meta.url).pathname;
const wsVersion = "12.1.11+20260731.154137.18";

interface IndexEntry extends Record<string, unknown> {
  version: string;
  digest: string;
  urls: string[];
}
type IndexDocument = { apiVersion: string; entries: Record<string, IndexEntry[]> };

let charthouse: CharthouseUnderTest;
let nginx: NginxServer;
let root: string;
const ids = new Map<string, string>();

/** What helm show printed, less the newline it adds after the file. */
function helmPrinted(output: string): string {
  return output.endsWith("\n") ? output.slice(0, -1) : output;
}

async function sha256Of(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

/** Builds the ibm folder: the two `ws` entries exactly as the real index publishes them, plus ibm-monetdb indexed by helm. */
async function makeIbmFolder(folder: string): Promise<void> {
  await mkdir(folder);
  const real = load(await readFile(join(dataDir, "indexes/ibm-charts-ibm-helm.index.yaml"), "utf8")) as IndexDocument;
  await copyFile(join(dataDir, "charts/ibm/ibm-monetdb-4.1.2.tgz"), join(folder, "ibm-monetdb-4.1.2.tgz"));
  await runHelm(["repo", "index", folder]);
  const index = load(await readFile(join(folder, "index.yaml"), "utf8")) as IndexDocument;
  for (const chart of ["ws", "ws-cluster-scoped"]) {
    const entry = real.entries[chart]!.find((e) => e.version === wsVersion)!;
    const file = `${chart}-${wsVersion}.tgz`;
    await copyFile(join(dataDir, "charts/ibm", file), join(folder, file));
    // The published digest is kept; only the URL is made to point at the local copy.
    expect(basename(entry.urls[0]!)).toBe(file);
    expect(await sha256Of(join(folder, file)), `${file} does not match its published digest`).not.toBe(entry.digest);
    index.entries[chart] = [{ ...entry, urls: [file] }];
  }
  await writeFile(join(folder, "index.yaml"), dump(index));
}

beforeAll(async () => {
  root = await makeTempDir("real-archives");
  // uditha: the real index next to its archive (relative URL `firstchart-0.1.0.tgz`).
  await mkdir(join(root, "uditha"));
  await copyFile(join(dataDir, "indexes/uditha-gitchartrepo.index.yaml"), join(root, "uditha/index.yaml"));
  await copyFile(join(dataDir, "charts/uditha/firstchart-0.1.0.tgz"), join(root, "uditha/firstchart-0.1.0.tgz"));
  // argo: an archive whose top folder is `./`, indexed by helm.
  await mkdir(join(root, "argo"));
  await copyFile(join(dataDir, "charts/argo-helm/argo-0.1.0.tgz"), join(root, "argo/argo-0.1.0.tgz"));
  await runHelm(["repo", "index", join(root, "argo")]);
  await makeIbmFolder(join(root, "ibm"));
  nginx = await startNginx({ root });
  charthouse = await startCharthouse();
  for (const name of ["uditha", "argo", "ibm"]) ids.set(name, await addRegistry(charthouse, name, `${nginx.url}/${name}`));
});

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
  if (root) await removeTempDir(root);
});

describe("real chart archives through every service", () => {
  it("makes the uditha chart ready from its relative URL, values and archive equal to the file", async () => {
    const id = ids.get("uditha")!;
    const version = await versionSettled(charthouse, id, "firstchart", "0.1.0");
    expect(version.state, JSON.stringify(version.error)).toBe("ready");
    expect(version.archive_sha256).toBe("85f7f1741758aa2788c0c3f6514546887fa835cb21745075b36c07c714390341");
    const archive = join(root, "uditha/firstchart-0.1.0.tgz");
    const values = await charthouse.api<string>("GET", `${versionPath(id, "firstchart", "0.1.0")}/values`);
    expect(values.status).toBe(200);
    expect(values.body).toBe(helmPrinted(await runHelm(["show", "values", archive])));
    const tgz = await fetch(`${charthouse.apiUrl}/api/v1${versionPath(id, "firstchart", "0.1.0")}/archive`, {
      headers: { authorization: `Bearer ${charthouse.token}` },
    });
    expect(Buffer.from(await tgz.arrayBuffer()).equals(await readFile(archive))).toBe(true);
    // The relative URL was resolved against the repository folder.
    const requests = await nginx.accessLog();
    expect(requests.filter((r) => r.path === "/uditha/firstchart-0.1.0.tgz").map((r) => r.status)).toEqual([200]);
    const registry = await registrySettled(charthouse, id, "uditha settled");
    expect(registry.status).toMatchObject({ state: "ok", versions: 1, versions_failed: 0, last_error: null });
  });

  it("makes the argo archive with a `./` top folder ready, with its values", async () => {
    const id = ids.get("argo")!;
    const version = await versionSettled(charthouse, id, "argo", "0.1.0");
    expect(version.state, JSON.stringify(version.error)).toBe("ready");
    const archive = join(root, "argo/argo-0.1.0.tgz");
    const values = await charthouse.api<string>("GET", `${versionPath(id, "argo", "0.1.0")}/values`);
    expect(values.status).toBe(200);
    expect(values.body).toBe(helmPrinted(await runHelm(["show", "values", archive])));
    expect(values.body.length).toBeGreaterThan(100);
    const detail = await charthouse.api<{ chart_yaml: Record<string, unknown>; has_values: boolean }>(
      "GET",
      versionPath(id, "argo", "0.1.0"),
    );
    expect(detail.body.has_values).toBe(true);
    expect(detail.body.chart_yaml).toMatchObject({ name: "argo", version: "0.1.0" });
  });

  it("fails the two IBM ws archives whose published digest is wrong, and only them", async () => {
    const id = ids.get("ibm")!;
    for (const chart of ["ws", "ws-cluster-scoped"]) {
      const version = await versionSettled(charthouse, id, chart, wsVersion);
      expect(version.state, chart).toBe("failed");
      expect(version.archive_sha256).toBeNull();
      expect(version.error).toMatchObject({ code: "digest_mismatch", solution: errorCodes.digest_mismatch.solution });
      expect(version.error?.solution).toBe("The registry serves a different archive than it indexes; it is not stored");
      expect(version.error?.message).toContain(version.digest!);
      const archive = await charthouse.api<ProblemJson>("GET", `${versionPath(id, chart, wsVersion)}/archive`);
      expect(archive.status).toBe(404);
      expect(archive.body.code).toBe("not_extracted");
    }
    const monetdb = await versionSettled(charthouse, id, "ibm-monetdb", "4.1.2");
    expect(monetdb.state, JSON.stringify(monetdb.error)).toBe("ready");
    const registry = await registrySettled(charthouse, id, "ibm settled");
    expect(registry.status).toMatchObject({
      state: "ok",
      last_outcome: "updated",
      last_error: null,
      versions: 3,
      versions_pending: 0,
      versions_failed: 2,
    });
    // The other registries were not touched by it.
    for (const name of ["uditha", "argo"]) {
      const other = await registrySettled(charthouse, ids.get(name)!, `${name} settled`);
      expect(other.status, name).toMatchObject({ state: "ok", versions_failed: 0, last_error: null });
    }
    const versions = await charthouse.api<{ items: ChartVersionJson[] }>("GET", `/registries/${id}/charts/ws/versions`);
    expect(versions.body.items.map((v) => [v.version, v.state])).toEqual([[wsVersion, "failed"]]);
  });
});
