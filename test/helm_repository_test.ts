import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeChart,
  makeHelmHome,
  makeTempDir,
  pushChart,
  removeTempDir,
  runHelm,
  startDockerRegistry,
  startNginx,
  type DockerRegistry,
  type NginxServer,
} from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import { addRegistry, registryWhen, syncNow } from "./support/api_waits.ts";

let charthouse: CharthouseUnderTest;
let repository: ChartRepositoryFolder;
let nginx: NginxServer;
let privateRepository: ChartRepositoryFolder;
let privateNginx: NginxServer;
let ociRegistry: DockerRegistry;
let helmHome: string;
const ociArchives = new Map<string, string>();
// Syncs wait this long: the machine the tests share may be busy.
const syncTimeoutMs = 180_000;
const sourceUser = { username: "upstream", password: "upstream-secret" };

/** Runs helm with the test's shared home (its repositories and cache). */
function helm(args: readonly string[]): Promise<string> {
  return runHelm(args, { home: helmHome, timeoutMs: 60_000 });
}

/** The Helm repository URL Charthouse serves a registry at. */
function helmUrl(registryName: string): string {
  return `${charthouse.apiUrl}/helm/${registryName}`;
}

/** Adds (or re-adds) a Charthouse registry as a helm repository with the token as the password. */
async function addRepo(alias: string, registryName: string, token = charthouse.token): Promise<string> {
  return await helm(["repo", "add", alias, helmUrl(registryName), "--username", "anyone", "--password", token, "--force-update"]);
}

/** `helm search repo <alias>/ --versions` as chart -> versions, newest first. */
async function searchVersions(alias: string): Promise<Record<string, string[]>> {
  const rows = JSON.parse(await helm(["search", "repo", `${alias}/`, "--versions", "--devel", "-o", "json"])) as { name: string; version: string }[];
  const found: Record<string, string[]> = {};
  for (const row of rows) (found[row.name.slice(alias.length + 1)] ??= []).push(row.version);
  return found;
}

/** `helm pull` of one version into a new folder; returns the pulled bytes. */
async function pull(alias: string, chart: string, version: string): Promise<Buffer> {
  const dir = await makeTempDir("helm-pull");
  try {
    await helm(["pull", `${alias}/${chart}`, "--version", version, "--destination", dir]);
    return await readFile(join(dir, `${chart}-${version}.tgz`));
  } finally {
    await removeTempDir(dir);
  }
}

/** Polls `helm repo update` + search until `done` holds (the index is rebuilt a few seconds after a change). */
async function searchWhen(alias: string, done: (versions: Record<string, string[]>) => boolean, what: string): Promise<Record<string, string[]>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await helm(["repo", "update", alias]);
    const versions = await searchVersions(alias);
    if (done(versions)) return versions;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(versions)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  helmHome = await makeHelmHome();
  repository = await makeChartRepository([
    { name: "web", version: "1.0.0" },
    { name: "web", version: "1.1.0+build.7" },
    { name: "db", version: "0.1.0" },
  ]);
  nginx = await startNginx({ root: repository.root, gzip: true });
  privateRepository = await makeChartRepository([{ name: "secret-app", version: "2.0.0" }]);
  privateNginx = await startNginx({ root: privateRepository.root, basicAuth: sourceUser });
  ociRegistry = await startDockerRegistry();
  for (const version of ["0.1.0", "0.2.0"]) {
    const archive = await makeChart(await makeTempDir("oci-chart"), { name: "tool", version });
    await pushChart(archive, `${ociRegistry.host}/ns`);
    ociArchives.set(version, archive);
  }
  charthouse = await startCharthouse();
}, 240_000);

afterAll(async () => {
  await charthouse?.stop();
  await nginx?.stop();
  await privateNginx?.stop();
  await ociRegistry?.stop();
  if (helmHome) await removeTempDir(helmHome);
});

describe("an HTTP registry served back as a Helm repository", () => {
  let registryId: string;

  it("lists every ready version to helm repo add and helm search repo", async () => {
    registryId = await addRegistry(charthouse, "local-charts", `${nginx.url}/`);
    await registryWhen(charthouse, registryId, (r) => r.status.versions === 3 && r.status.versions_pending === 0, "every version to be ready", syncTimeoutMs);
    await addRepo("team", "local-charts");
    expect(await searchVersions("team")).toEqual({ db: ["0.1.0"], web: ["1.1.0+build.7", "1.0.0"] });
  });

  it("pulls the published archive's exact bytes from Charthouse, not from the upstream, and renders it", async () => {
    await nginx.clearAccessLog();
    for (const [chart, version] of [["web", "1.0.0"], ["web", "1.1.0+build.7"], ["db", "0.1.0"]] as const) {
      const pulled = await pull("team", chart, version);
      expect(pulled.equals(await readFile(join(repository.root, `${chart}-${version}.tgz`)))).toBe(true);
    }
    expect((await nginx.accessLog()).filter((line) => line.path.endsWith(".tgz"))).toEqual([]);
    const rendered = await helm(["template", "demo", "team/web", "--version", "1.0.0"]);
    expect(rendered).toMatch(/kind: Deployment/);
    expect(rendered).toMatch(/name: demo-web/);
  });

  it("answers 304 to an unchanged index, and serves gzip", async () => {
    const auth = { authorization: `Bearer ${charthouse.token}` };
    const first = await fetch(`${helmUrl("local-charts")}/index.yaml`, { headers: auth });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{40}-yaml-gz"$/);
    expect(first.headers.get("content-encoding")).toBe("gzip");
    const again = await fetch(`${helmUrl("local-charts")}/index.yaml`, { headers: { ...auth, "if-none-match": etag! } });
    expect(again.status).toBe(304);
  });

  it("shows a version published upstream after the next sync, and drops one removed upstream", async () => {
    await repository.add({ name: "web", version: "1.2.0" });
    await rm(join(repository.root, "db-0.1.0.tgz"));
    await repository.reindex();
    await syncNow(charthouse, registryId, syncTimeoutMs);
    await registryWhen(charthouse, registryId, (r) => r.status.versions_pending === 0, "the new version to be ready", syncTimeoutMs);
    const versions = await searchWhen("team", (v) => v["web"]?.[0] === "1.2.0" && v["db"] === undefined, "1.2.0 listed and db gone");
    expect(versions).toEqual({ web: ["1.2.0", "1.1.0+build.7", "1.0.0"] });
    const pulled = await pull("team", "web", "1.2.0");
    expect(pulled.equals(await readFile(join(repository.root, "web-1.2.0.tgz")))).toBe(true);
  });

  it("refuses helm a wrong token with 401, and another organisation's token with 404", async () => {
    await expect(addRepo("wrong", "local-charts", "cht_not-a-token")).rejects.toThrow(/401/);
    const other = await charthouse.api<{ token: { token: string } }>("POST", "/organizations", { name: `other-${Date.now()}` });
    expect(other.status).toBe(201);
    await expect(addRepo("theirs", "local-charts", other.body.token.token)).rejects.toThrow(/404/);
    const archive = await fetch(`${helmUrl("local-charts")}/charts/web-1.0.0.tgz`, {
      headers: { authorization: `Bearer ${other.body.token.token}` },
    });
    expect(archive.status).toBe(404);
  });
});

describe("an OCI registry served back as a Helm repository", () => {
  it("lists, pulls and renders charts pushed with helm push", async () => {
    const id = await addRegistry(charthouse, "oci-tools", `oci://${ociRegistry.host}/ns`);
    await registryWhen(charthouse, id, (r) => r.status.versions === 2 && r.status.versions_pending === 0, "every OCI version to be ready", syncTimeoutMs);
    await addRepo("tools", "oci-tools");
    expect(await searchVersions("tools")).toEqual({ tool: ["0.2.0", "0.1.0"] });
    for (const [version, archive] of ociArchives) {
      expect((await pull("tools", "tool", version)).equals(await readFile(archive))).toBe(true);
    }
    expect(await helm(["template", "demo", "tools/tool", "--version", "0.2.0"])).toMatch(/kind: Deployment/);
  });
});

describe("a basic-auth registry served back as a Helm repository", () => {
  it("hands its archives only to a client with a valid Charthouse token", async () => {
    const credential = await charthouse.api<{ id: string }>("POST", "/credentials", { name: "upstream-basic", kind: "basic", ...sourceUser });
    expect(credential.status).toBe(201);
    const created = await charthouse.api<{ id: string }>("POST", "/registries", {
      name: "private-charts",
      url: `${privateNginx.url}/`,
      credential_id: credential.body.id,
    });
    expect(created.status).toBe(201);
    await registryWhen(charthouse, created.body.id, (r) => r.status.versions === 1 && r.status.versions_pending === 0, "the private version to be ready", syncTimeoutMs);
    const url = `${helmUrl("private-charts")}/charts/secret-app-2.0.0.tgz`;
    const published = await readFile(join(privateRepository.root, "secret-app-2.0.0.tgz"));
    const wrongBasic = `Basic ${Buffer.from("anyone:cht_wrong").toString("base64")}`;
    // The upstream's own credentials are no Charthouse token either.
    const upstreamBasic = `Basic ${Buffer.from(`${sourceUser.username}:${sourceUser.password}`).toString("base64")}`;
    for (const headers of [{}, { authorization: wrongBasic }, { authorization: upstreamBasic }]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="charthouse"');
      expect(Buffer.from(await res.arrayBuffer()).includes(published.subarray(0, 64))).toBe(false);
    }
    await expect(runHelm(["pull", url, "--destination", await makeTempDir("helm-pull")])).rejects.toThrow(/401/);
    await addRepo("private", "private-charts");
    expect((await pull("private", "secret-app", "2.0.0")).equals(published)).toBe(true);
  });
});
