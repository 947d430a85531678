// What a hostile or broken registry can serve, each as its own registry in ONE stack (every
// service), next to a healthy registry that must keep syncing. The limits are lowered so the
// bombs go off quickly: 1 MiB of index, 10 MiB unpacked, two deliveries per message.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes } from "@charthouse/errors";
import { makeTempDir, removeTempDir, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import type { ChartJson, ChartVersionJson, RegistryJson, StoredErrorJson } from "@charthouse/api-types";
import { addRegistry, listAll, registrySettled, registryWhen, versionPath, versionSettled } from "./support/api_waits.ts";
import { chartYaml, craftTgz, indexEntry } from "./support/crafted_archives.ts";

const MiB = 1024 * 1024;

let charthouse: CharthouseUnderTest;
let healthyRepository: ChartRepositoryFolder;
let healthy: NginxServer;
let hostile: NginxServer;
let hostileRoot: string;
let endless: { server: Server; url: string; sent: () => number; closed: () => boolean };
const ids = new Map<string, string>();
const createdAt = new Map<string, number>();

/** A server whose index.yaml never ends: valid YAML comments, 64 KiB at a time, until the client hangs up. */
async function startEndlessServer(): Promise<typeof endless> {
  let sent = 0;
  let closed = false;
  const filler = Buffer.from(`# ${"x".repeat(1021)}\n`.repeat(64));
  const pump = (res: ServerResponse): void => {
    while (!res.destroyed) {
      sent += filler.byteLength;
      if (!res.write(filler)) {
        res.once("drain", () => pump(res));
        return;
      }
    }
  };
  const server = createServer((req, res) => {
    res.on("close", () => (closed = true));
    res.writeHead(200, { "content-type": "application/yaml" });
    res.write("apiVersion: v1\nentries:\n");
    pump(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, sent: () => sent, closed: () => closed };
}

/** "Billion laughs": nine levels of nine aliases, 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ["apiVersion: v1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  const names = "abcdefghi";
  for (let i = 1; i < names.length; i++) {
    const prev = names[i - 1];
    lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  lines.push("entries:", "  lol:", "  - name: lol", "    version: 1.0.0", "    keywords: *i", "    urls: [lol-1.0.0.tgz]");
  return `${lines.join("\n")}\n`;
}

async function writeFolder(name: string, files: Record<string, string | Buffer>): Promise<void> {
  await mkdir(join(hostileRoot, name));
  for (const [file, body] of Object.entries(files)) await writeFile(join(hostileRoot, name, file), body);
}

/** An index.yaml listing the given crafted archives (chart name, version, bytes), each served next to it. */
async function writeRepository(name: string, archives: [string, string, Buffer][], fields: Record<string, string> = {}): Promise<void> {
  const byChart = new Map<string, string[]>();
  const files: Record<string, Buffer | string> = {};
  for (const [chart, version, bytes] of archives) {
    byChart.set(chart, [...(byChart.get(chart) ?? []), indexEntry(chart, version, bytes, fields)]);
    files[`${chart.replaceAll("/", "_")}-${version}.tgz`] = bytes;
  }
  let index = "apiVersion: v1\nentries:\n";
  for (const [chart, entries] of byChart) index += `  ${chart}:\n${entries.join("")}`;
  files["index.yaml"] = index;
  await writeFolder(name, files);
}

async function simpleChart(name: string, version: string): Promise<Buffer> {
  return await craftTgz([
    { name: `${name}/Chart.yaml`, content: chartYaml(name, version) },
    { name: `${name}/values.yaml`, content: "replicaCount: 1\n" },
  ]);
}

async function registryError(name: string, timeoutMs = 30_000): Promise<{ error: StoredErrorJson; seconds: number }> {
  const registry = await registryWhen(
    charthouse,
    ids.get(name)!,
    (r) => r.status.last_error !== null && r.status.state === "error",
    `an error on registry ${name}`,
    timeoutMs,
  );
  return { error: registry.status.last_error!, seconds: (Date.now() - createdAt.get(name)!) / 1000 };
}

beforeAll(async () => {
  hostileRoot = await makeTempDir("hostile");
  await writeFolder("bomb", { "index.yaml": aliasBomb() });
  await writeFolder("html", {
    "index.yaml": "<!DOCTYPE html>\n<html><head><title>Harbor</title></head><body><app-root>Loading</app-root></body></html>\n",
  });
  await writeFolder("json", { "index.yaml": JSON.stringify({ apiVersion: "v1", charts: { app: [{ name: "app", version: "1.0.0" }] } }) });

  // Invalid UTF-8 (a lone 0xFF, a truncated 3-byte sequence) inside a description.
  const latin = await simpleChart("latin", "1.0.0");
  await writeRepository("utf8", [["latin", "1.0.0", latin]]);
  const utf8Index = Buffer.concat([
    Buffer.from("apiVersion: v1\nentries:\n  latin:\n"),
    Buffer.from(indexEntry("latin", "1.0.0", latin).replace(/\n$/, "\n    description: caf")),
    Buffer.from([0xff, 0x20, 0xe2, 0x82]),
    Buffer.from(" end\n"),
  ]);
  await writeFile(join(hostileRoot, "utf8", "index.yaml"), utf8Index);

  // One chart, a good version and four unsafe or oversized archives, all with correct digests.
  const zeros = Buffer.alloc(4 * MiB);
  await writeRepository("archives", [
    ["app", "1.0.0", await simpleChart("app", "1.0.0")],
    ["app", "1.0.1", await craftTgz([{ name: "app/Chart.yaml", content: chartYaml("app", "1.0.1") }, { name: "../evil", content: "pwned\n" }])],
    ["app", "1.0.2", await craftTgz([{ name: "app/Chart.yaml", content: chartYaml("app", "1.0.2") }, { name: "/etc/evil", content: "pwned\n" }])],
    [
      "app",
      "1.0.3",
      await craftTgz([
        { name: "app/Chart.yaml", content: chartYaml("app", "1.0.3") },
        { name: "app/templates/passwd", type: "symlink", linkname: "/etc/passwd" },
      ]),
    ],
    // 75 files of 4 MiB of zeros: 300 MiB unpacked (each file under the 5 MiB file limit), ~300 KB packed.
    [
      "app",
      "1.0.4",
      await craftTgz([
        { name: "app/Chart.yaml", content: chartYaml("app", "1.0.4") },
        ...Array.from({ length: 75 }, (_, i) => ({ name: `app/files/zeros-${i}.bin`, content: zeros })),
      ]),
    ],
  ]);

  // A chart name with a `/` next to a good chart with a version nothing reads as semver.
  await writeRepository("slash", [
    ["evil/name", "1.0.0", await simpleChart("evil", "1.0.0")],
    ["good", "1.0.0", await simpleChart("good", "1.0.0")],
    ["good", "latest", await simpleChart("good", "latest")],
    ["good", "2.0.0", await simpleChart("good", "2.0.0")],
  ]);

  hostile = await startNginx({ root: hostileRoot });
  endless = await startEndlessServer();
  healthyRepository = await makeChartRepository([
    { name: "web", version: "1.0.0", values: "replicaCount: 1\n" },
    { name: "web", version: "1.1.0", values: "replicaCount: 2\n" },
  ]);
  healthy = await startNginx({ root: healthyRepository.root });
  charthouse = await startCharthouse({
    env: {
      CHARTHOUSE_MAX_INDEX_BYTES: String(1 * MiB),
      CHARTHOUSE_MAX_UNPACKED_BYTES: String(10 * MiB),
      CHARTHOUSE_MAX_DELIVERIES: "2",
    },
  });
  const urls: Record<string, string> = {
    healthy: healthy.url,
    bomb: `${hostile.url}/bomb`,
    html: `${hostile.url}/html`,
    json: `${hostile.url}/json`,
    utf8: `${hostile.url}/utf8`,
    archives: `${hostile.url}/archives`,
    slash: `${hostile.url}/slash`,
    endless: endless.url,
  };
  for (const [name, url] of Object.entries(urls)) {
    createdAt.set(name, Date.now());
    ids.set(name, await addRegistry(charthouse, name, url));
  }
});

afterAll(async () => {
  await charthouse?.stop();
  await healthy?.stop();
  await hostile?.stop();
  if (endless) await new Promise<void>((resolve) => { endless.server.closeAllConnections(); endless.server.close(() => resolve()); });
  if (hostileRoot) await removeTempDir(hostileRoot);
});

describe("hostile and broken registries", () => {
  it("refuses a YAML alias bomb quickly with invalid_index", async () => {
    const { error, seconds } = await registryError("bomb");
    expect(error.code).toBe("invalid_index");
    expect(error.solution).toBe(errorCodes.invalid_index.solution);
    expect(error.message).toMatch(/alias/i);
    expect(seconds).toBeLessThan(10);
  });

  it("calls an HTML page and a JSON body without entries not_a_helm_repository", async () => {
    for (const name of ["html", "json"]) {
      const { error } = await registryError(name);
      expect(error.code, `${name}: ${error.message}`).toBe("not_a_helm_repository");
      expect(error.solution).toBe("Use the registry's OCI address with oci://");
    }
  });

  it("stops reading an endless index.yaml at CHARTHOUSE_MAX_INDEX_BYTES with too_large", async () => {
    const { error } = await registryError("endless");
    expect(error.code).toBe("too_large");
    expect(`${error.message} ${error.solution}`).toContain("CHARTHOUSE_MAX_INDEX_BYTES");
    await waitFor(() => endless.closed(), { what: "the fetcher to hang up on the endless index" });
    // It hung up soon after the limit, not after reading everything a fast server can send.
    expect(endless.sent()).toBeLessThan(32 * MiB);
    const runs = await charthouse.api<{ items: { outcome: string | null; error: StoredErrorJson | null }[] }>(
      "GET",
      `/registries/${ids.get("endless")}/syncs`,
    );
    expect(runs.body.items[0]).toMatchObject({ outcome: "failed", error: { code: "too_large" } });
  });

  it("syncs an index with invalid UTF-8 in a description, with replacement characters", async () => {
    const id = ids.get("utf8")!;
    const version = await versionSettled(charthouse, id, "latin", "1.0.0");
    expect(version.state, JSON.stringify(version.error)).toBe("ready");
    expect(version.description).toContain("\uFFFD");
    expect(version.description).toMatch(/^caf.*end$/);
    const registry = await registrySettled(charthouse, id, "the utf8 registry");
    expect(registry.status).toMatchObject({ state: "ok", last_outcome: "updated", versions: 1, last_error: null });
  });

  it("fails unsafe archives with invalid_chart and a gzip bomb with too_large, the good version ready", async () => {
    const id = ids.get("archives")!;
    const good = await versionSettled(charthouse, id, "app", "1.0.0");
    expect(good.state, JSON.stringify(good.error)).toBe("ready");
    const expected: [string, string, RegExp][] = [
      ["1.0.1", "invalid_chart", /"\.\.\/evil".*parent folder/],
      ["1.0.2", "invalid_chart", /"\/etc\/evil".*absolute path/],
      ["1.0.3", "invalid_chart", /symbolic link/],
      ["1.0.4", "too_large", /CHARTHOUSE_MAX_UNPACKED_BYTES/],
    ];
    for (const [version, code, message] of expected) {
      const failed = await versionSettled(charthouse, id, "app", version);
      expect({ version, state: failed.state, code: failed.error?.code }).toEqual({ version, state: "failed", code });
      expect(failed.error?.message).toMatch(message);
      const values = await charthouse.api<{ code: string }>("GET", `${versionPath(id, "app", version)}/values`);
      expect(values.status).toBe(404);
      expect(values.body.code).toBe("not_extracted");
    }
    const values = await charthouse.api<string>("GET", `${versionPath(id, "app", "1.0.0")}/values`);
    expect(values.body).toBe("replicaCount: 1\n");
    const registry = await registrySettled(charthouse, id, "the archives registry");
    expect(registry.status).toMatchObject({ state: "ok", last_error: null, versions: 5, versions_failed: 4 });
  });

  it("skips a chart whose name contains `/` and keeps the other charts; unreadable versions sort last", async () => {
    const id = ids.get("slash")!;
    const registry = await registrySettled(charthouse, id, "the slash registry");
    expect(registry.status).toMatchObject({ state: "ok", last_outcome: "updated", charts: 1, versions: 3 });
    const charts = await listAll<ChartJson>(charthouse, `/registries/${id}/charts`);
    expect(charts.map((c) => c.name)).toEqual(["good"]);
    const evil = await charthouse.api<{ code: string }>("GET", `/registries/${id}/charts/${encodeURIComponent("evil/name")}`);
    expect(evil.status).toBe(404);
    const versions = await listAll<ChartVersionJson>(charthouse, `/registries/${id}/charts/good/versions`);
    expect(versions.map((v) => v.version)).toEqual(["2.0.0", "1.0.0", "latest"]);
    expect(charts[0]!.latest_version).toBe("2.0.0");
    // No archive of the skipped chart was even requested.
    expect((await hostile.accessLog()).map((r) => r.path)).not.toContain("/slash/evil_name-1.0.0.tgz");
  });

  it("keeps the healthy registry syncing normally, and every service up", async () => {
    const id = ids.get("healthy")!;
    const registry = await registrySettled(charthouse, id, "the healthy registry");
    expect(registry.status).toMatchObject({ state: "ok", versions: 2, versions_failed: 0, last_error: null });
    await healthyRepository.add({ name: "web", version: "1.2.0", values: "replicaCount: 3\n" });
    const { status } = await charthouse.api("POST", `/registries/${id}/sync`);
    expect(status).toBe(202);
    const after: RegistryJson = await registryWhen(
      charthouse,
      id,
      (r) => r.status.versions === 3 && r.status.versions_pending === 0,
      "the new version on the healthy registry",
    );
    expect(after.status).toMatchObject({ state: "ok", versions_failed: 0, last_outcome: "updated" });
    const values = await charthouse.api<string>("GET", `${versionPath(id, "web", "1.2.0")}/values`);
    expect(values.body).toBe("replicaCount: 3\n");
    for (const process of charthouse.stack.processes) expect(process.child.exitCode, process.service).toBeNull();
  });
});
