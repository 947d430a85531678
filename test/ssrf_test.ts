// Server-side request forgery through a registry: an index whose chart URL, or a redirect, points
// at the cloud metadata address is refused always; registry and chart URLs at private addresses
// are refused when CHARTHOUSE_BLOCK_PRIVATE_NETWORKS=true. Each ends `forbidden_destination`
// before any connection: the request timeout is long and the unroutable addresses below would
// time out, so a `timeout` or `connection_failed` would mean a connection was tried.
// (libs/outbound-http's tests cover the address forms: IPv6-mapped, decimal, hex, metadata names.)
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes } from "@charthouse/errors";
import { makeTempDir, removeTempDir, startNginx, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import type { ChartVersionJson } from "@charthouse/api-types";
import { addRegistry, registryWhen, versionSettled } from "./support/api_waits.ts";
import { chartYaml, craftTgz, sha256Hex } from "./support/crafted_archives.ts";

const metadataUrl = "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
// In 10.0.0.0/8 and routed nowhere here: connecting would hang until the request timeout.
const unroutablePrivate = "10.255.255.1";
const settings = { CHARTHOUSE_REQUEST_TIMEOUT_MS: "20000", CHARTHOUSE_GIVE_UP_AFTER_SECONDS: "2" };

/** An index.yaml entry with the URL given as is. */
function entry(name: string, version: string, url: string, archive: Buffer): string {
  return `  ${name}:\n  - apiVersion: v2\n    name: ${name}\n    version: ${version}\n    digest: ${sha256Hex(archive)}\n    urls:\n    - ${JSON.stringify(url)}\n`;
}

async function chart(name: string): Promise<Buffer> {
  return await craftTgz([{ name: `${name}/Chart.yaml`, content: chartYaml(name, "1.0.0") }]);
}

function expectRefused(version: ChartVersionJson, address: string): void {
  expect(version.state, JSON.stringify(version)).toBe("failed");
  expect(version.error?.code).toBe("forbidden_destination");
  expect(version.error?.solution).toBe(errorCodes.forbidden_destination.solution);
  expect(version.error?.message).toContain(address);
  expect(version.archive_sha256).toBeNull();
}

/** An IPv4 address of this machine that the destination guard counts as public, if it has one. */
function publicInterfaceAddress(): string | undefined {
  const nonPublic = [/^10\./, /^127\./, /^0\./, /^169\.254\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./, /^(22[4-9]|2[3-5]\d)\./];
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a !== undefined && a.family === "IPv4" && !a.internal && !nonPublic.some((range) => range.test(a.address)))?.address;
}

describe("cloud metadata, whatever CHARTHOUSE_BLOCK_PRIVATE_NETWORKS says", () => {
  let charthouse: CharthouseUnderTest;
  let nginx: NginxServer;
  let root: string;

  beforeAll(async () => {
    root = await makeTempDir("ssrf-metadata");
    await mkdir(join(root, "repo"));
    const ok = await chart("ok");
    await writeFile(join(root, "repo", "ok-1.0.0.tgz"), ok);
    const index =
      "apiVersion: v1\nentries:\n" +
      entry("ok", "1.0.0", "ok-1.0.0.tgz", ok) +
      entry("meta", "1.0.0", `${metadataUrl}meta-1.0.0.tgz`, await chart("meta")) +
      entry("bounce", "1.0.0", "bounce-1.0.0.tgz", await chart("bounce"));
    await writeFile(join(root, "repo", "index.yaml"), index);
    nginx = await startNginx({
      root,
      extraConfig: `location = /repo/bounce-1.0.0.tgz { return 302 ${metadataUrl}; }`,
    });
    charthouse = await startCharthouse({ env: settings });
  });

  afterAll(async () => {
    await charthouse?.stop();
    await nginx?.stop();
    if (root) await removeTempDir(root);
  });

  it("a chart URL and a redirect to 169.254.169.254 fail forbidden_destination; the rest of the index syncs", async () => {
    const id = await addRegistry(charthouse, "metadata-bait", `${nginx.url}/repo`);
    const started = Date.now();
    const [ok, meta, bounce] = await Promise.all(["ok", "meta", "bounce"].map((name) => versionSettled(charthouse, id, name, "1.0.0")));
    expect(ok?.state).toBe("ready");
    expectRefused(meta!, "169.254.169.254");
    expectRefused(bounce!, "169.254.169.254");
    expect(Date.now() - started).toBeLessThan(Number(settings.CHARTHOUSE_REQUEST_TIMEOUT_MS));
    // The redirect was asked for (nginx answered 302), and nothing it pointed to was fetched.
    const bounces = (await nginx.accessLog()).filter((r) => r.path === "/repo/bounce-1.0.0.tgz");
    expect(bounces.length).toBeGreaterThan(0);
    expect(bounces.every((r) => r.status === 302)).toBe(true);
  });

  it("a registry URL at 169.254.169.254 fails forbidden_destination", async () => {
    const id = await addRegistry(charthouse, "metadata-registry", metadataUrl);
    const registry = await registryWhen(charthouse, id, (r) => r.status.last_error !== null, "an error on the metadata registry", 15_000);
    expect(registry.status.last_error?.code).toBe("forbidden_destination");
  });
});

describe("private addresses with CHARTHOUSE_BLOCK_PRIVATE_NETWORKS=true", () => {
  let charthouse: CharthouseUnderTest;
  let loopback: NginxServer;
  let root: string;
  let publicServer: { server: Server; url: string; requests: string[] } | undefined;
  const publicAddress = publicInterfaceAddress();

  beforeAll(async () => {
    root = await makeTempDir("ssrf-private");
    const internal = await chart("internal");
    await writeFile(join(root, "internal-1.0.0.tgz"), internal);
    await writeFile(join(root, "index.yaml"), `apiVersion: v1\nentries:\n${entry("internal", "1.0.0", "internal-1.0.0.tgz", internal)}`);
    loopback = await startNginx({ root });
    if (publicAddress !== undefined) {
      // An index on a public address of this machine, whose chart URLs point at private ones.
      const index =
        "apiVersion: v1\nentries:\n" +
        entry("loopback", "1.0.0", `${loopback.url}/internal-1.0.0.tgz`, internal) +
        entry("unroutable", "1.0.0", `http://${unroutablePrivate}/unroutable-1.0.0.tgz`, await chart("unroutable"));
      const requests: string[] = [];
      const server = createServer((req, res) => {
        requests.push(req.url ?? "");
        if (req.url === "/index.yaml") res.writeHead(200, { "content-type": "application/yaml" }).end(index);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, publicAddress, resolve));
      publicServer = { server, url: `http://${publicAddress}:${(server.address() as AddressInfo).port}`, requests };
    }
    charthouse = await startCharthouse({ env: { ...settings, CHARTHOUSE_BLOCK_PRIVATE_NETWORKS: "true" } });
  });

  afterAll(async () => {
    await charthouse?.stop();
    await loopback?.stop();
    await new Promise((resolve) => publicServer?.server.close(resolve) ?? resolve(undefined));
    if (root) await removeTempDir(root);
  });

  it("a registry at a private address that answers fails forbidden_destination, and is never asked", async () => {
    const id = await addRegistry(charthouse, "loopback-registry", loopback.url);
    const registry = await registryWhen(charthouse, id, (r) => r.status.last_error !== null, "an error on the loopback registry", 15_000);
    expect(registry.status.last_error?.code).toBe("forbidden_destination");
    expect(registry.status.last_error?.message).toContain("127.0.0.1");
    expect(registry.status.versions).toBe(0);
    expect(await loopback.accessLog()).toEqual([]);
  });

  it("a registry at a private address where nothing listens fails forbidden_destination, not timeout or connection_failed", async () => {
    const started = Date.now();
    const id = await addRegistry(charthouse, "unroutable-registry", `http://${unroutablePrivate}/charts`);
    const registry = await registryWhen(charthouse, id, (r) => r.status.last_error !== null, "an error on the unroutable registry", 15_000);
    expect(registry.status.last_error?.code).toBe("forbidden_destination");
    expect(Date.now() - started).toBeLessThan(Number(settings.CHARTHOUSE_REQUEST_TIMEOUT_MS));
  });

  it.skipIf(publicAddress === undefined)(
    "chart URLs at private addresses, in an index on a public address, fail forbidden_destination and fetch nothing",
    async () => {
      const id = await addRegistry(charthouse, "public-index", publicServer!.url);
      const loopbackVersion = await versionSettled(charthouse, id, "loopback", "1.0.0");
      const unroutable = await versionSettled(charthouse, id, "unroutable", "1.0.0");
      expect(publicServer!.requests).toContain("/index.yaml");
      expectRefused(loopbackVersion, "127.0.0.1");
      expectRefused(unroutable, unroutablePrivate);
      expect(await loopback.accessLog()).toEqual([]);
    },
  );
});
