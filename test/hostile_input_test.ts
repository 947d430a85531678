// What a hostile or broken registry can serve, each as its own registry in ONE stack (every
// service), next to a healthy registry that must keep syncing. The limits are lowered so the
// bombs go off quickly: 1 MiB of index, 10 MiB unpacked, 1 MiB of archive, 100 files, 1,000 index
// versions or OCI tags, a 6 s read deadline, giving up after 15 s (room for a retry on a loaded
// machine: every registry is created at once).
// The crafted registries of test/support/hostile_servers.ts (HTTP and raw TCP servers, OCI
// registries) bring the inputs of the unit tests beside each parser and client
// (registry_request_hostile_test, oci_session_hostile_test, read_chart_archive_hostile_test,
// index_parser_hostile_test) through every service: each case of the tables ends within
// deadlineSeconds with its code from the error table, no service exits, nothing stays syncing.
import { createServer, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { deflateSync, gzipSync } from "node:zlib";
import type { AddressInfo } from "node:net";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCodes, isErrorCode } from "@charthouse/errors";
import { makeTempDir, removeTempDir, startNginx, waitFor, type NginxServer } from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "./support/running_charthouse.ts";
import { makeChartRepository, type ChartRepositoryFolder } from "./support/chart_repository.ts";
import type { ChartJson, ChartVersionJson, RegistryJson, StoredErrorJson, SyncRunJson } from "@charthouse/api-types";
import { addRegistry, listAll, registrySettled, registryWhen, syncNow, versionPath, versionSettled } from "./support/api_waits.ts";
import { chartYaml, craftTgz, indexEntry, sha256Hex } from "./support/crafted_archives.ts";
import {
  helmManifest,
  ociDigest,
  startHostileOciRegistry,
  startHostileServer,
  startRawServer,
  trickle,
  type HostileServer,
} from "./support/hostile_servers.ts";

const MiB = 1024 * 1024;

let charthouse: CharthouseUnderTest;
let healthyRepository: ChartRepositoryFolder;
let healthy: NginxServer;
let hostile: NginxServer;
let hostileRoot: string;
let endless: { server: Server; url: string; sent: () => number; closed: () => boolean };
const ids = new Map<string, string>();
const createdAt = new Map<string, number>();
const crafted: HostileServer[] = [];

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

/**
 * Waits for the registry's error; `seconds` is how long its failed sync ran (every registry is
 * created at once, so the time waiting in the queue says nothing about the input).
 */
async function registryError(name: string, timeoutMs = 30_000): Promise<{ error: StoredErrorJson; seconds: number }> {
  const registry = await registryWhen(
    charthouse,
    ids.get(name)!,
    (r) => r.status.last_error !== null && r.status.state === "error",
    `an error on registry ${name}`,
    timeoutMs,
  );
  const runs = await charthouse.api<{ items: SyncRunJson[] }>("GET", `/registries/${ids.get(name)}/syncs`);
  const failed = runs.body.items.find((run) => run.outcome === "failed" && run.duration_ms !== null);
  return { error: registry.status.last_error!, seconds: (failed?.duration_ms ?? Number.POSITIVE_INFINITY) / 1000 };
}

/** A crafted registry serving fixed bodies by path (404 otherwise). */
async function servePaths(files: Record<string, Buffer | string>): Promise<HostileServer> {
  const server = await startHostileServer((req, res) => {
    const body = files[new URL(req.url ?? "/", "http://x").pathname];
    if (body === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  });
  crafted.push(server);
  return server;
}

async function craftedServer(handler: Parameters<typeof startHostileServer>[0]): Promise<HostileServer> {
  const server = await startHostileServer(handler);
  crafted.push(server);
  return server;
}

async function craftedRaw(onSocket: Parameters<typeof startRawServer>[0]): Promise<HostileServer> {
  const server = await startRawServer(onSocket);
  crafted.push(server);
  return server;
}

async function craftedOci(options: Parameters<typeof startHostileOciRegistry>[0]): Promise<HostileServer> {
  const server = await startHostileOciRegistry(options);
  crafted.push(server);
  return server;
}

/**
 * A registry-level hostile case: the registry must end in `error` with this code, or, for a
 * `note` case (what is skipped rather than refused), `ok` with this code noted on its sync.
 */
interface RegistryCase {
  name: string;
  what: string;
  code: string;
  /** Matched against the stored error's message and solution. */
  message?: RegExp;
  note?: true;
}

/** A version-level hostile case: the version must end in this state (and code when failed). */
interface VersionCase {
  name: string;
  what: string;
  chart: string;
  version: string;
  state: "ready" | "failed";
  code?: string;
  check?: (version: ChartVersionJson) => void;
}

const registryCases: RegistryCase[] = [
  { name: "trickled-index", what: "an index.yaml trickled at one byte every 200 ms", code: "timeout", message: /CHARTHOUSE_READ_DEADLINE_MS/ },
  { name: "redirect-loop", what: "an index.yaml that redirects to itself", code: "registry_error", message: /redirected more than 5 times/ },
  { name: "gzip-bomb-index", what: "a gzip bomb served as index.yaml with Content-Encoding: gzip", code: "too_large", message: /once decompressed/ },
  { name: "zstd-index", what: "an index.yaml with a Content-Encoding nobody asked for", code: "registry_error", message: /Content-Encoding "zstd"/ },
  { name: "oci-binary-manifest", what: "an OCI manifest that is binary (NUL bytes included)", code: "registry_error", message: /is not JSON/ },
  { name: "oci-list-manifest", what: "an OCI manifest that is JSON of the wrong shape", code: "registry_error", message: /not a JSON object/ },
  { name: "oci-config-not-json", what: "an OCI config blob that is not JSON", code: "registry_error", message: /did not answer JSON/ },
  { name: "oci-tags-not-json", what: "an OCI tag list that is not JSON", code: "registry_error", message: /did not answer JSON/ },
  { name: "oci-tags-self-link", what: "an OCI tag list whose Link points at itself", code: "registry_error", message: /pages in a loop/ },
  { name: "oci-tags-endless", what: "an OCI tag list paging on forever with the same tags", code: "registry_error", message: /pages in a loop/ },
  { name: "oci-trickled-manifest", what: "an OCI manifest trickled at one byte every 200 ms", code: "timeout", message: /CHARTHOUSE_READ_DEADLINE_MS/ },
  // The HTTP protocol under index.yaml.
  { name: "index-length-lie", what: "an index.yaml with a Content-Length longer than its body, then the connection closed", code: "connection_failed" },
  { name: "index-reset", what: "an index.yaml reset in the middle of its body", code: "connection_failed" },
  { name: "index-no-answer", what: "a connection closed before any response", code: "connection_failed" },
  { name: "index-not-http", what: "an answer that is not HTTP at all (an SSH banner)", code: "connection_failed" },
  { name: "index-huge-headers", what: "response headers of 256 KiB", code: "connection_failed" },
  { name: "index-headers-trickle", what: "response headers trickled one line every 100 ms, never finishing", code: "timeout" },
  { name: "index-length-over-cap", what: "a Content-Length of 100 GB, refused before reading", code: "too_large", message: /CHARTHOUSE_MAX_INDEX_BYTES/ },
  { name: "redirect-file", what: "a redirect to file:///etc/passwd", code: "forbidden_destination", message: /file:/ },
  { name: "redirect-metadata", what: "a redirect to the cloud metadata address 169.254.169.254", code: "forbidden_destination", message: /169\.254\.169\.254/ },
  { name: "deflate-bomb-index", what: "a deflate bomb served as index.yaml (16 MiB of zeros)", code: "too_large", message: /once decompressed/ },
  { name: "corrupt-gzip-index", what: "an index.yaml whose gzip stream is cut off halfway", code: "registry_error", message: /Cannot decompress/ },
  { name: "corrupt-br-index", what: "an index.yaml with Content-Encoding: br that is not Brotli", code: "registry_error", message: /Cannot decompress/ },
  { name: "trickled-503", what: "a 503 whose error page trickles forever", code: "registry_error" },
  // index.yaml documents of the wrong shape or size.
  { name: "json-array-index", what: "an index.yaml that is a JSON array", code: "not_a_helm_repository" },
  { name: "entries-list-index", what: "an index.yaml whose entries is a list, not a map", code: "invalid_index" },
  { name: "duplicate-keys-index", what: "an index.yaml with a chart listed twice under the same key", code: "invalid_index" },
  { name: "too-many-versions", what: "an index.yaml of 10,000 versions over CHARTHOUSE_MAX_INDEX_VERSIONS (1,000)", code: "too_large", message: /CHARTHOUSE_MAX_INDEX_VERSIONS/ },
  // OCI: tag lists, paging, auth, manifests and blobs.
  { name: "oci-tags-object", what: "an OCI tag list whose tags is an object", code: "registry_error", message: /not a list/ },
  { name: "oci-too-many-tags", what: "an OCI tag list of 10,000 tags over CHARTHOUSE_OCI_MAX_TAGS (1,000)", code: "too_large", message: /CHARTHOUSE_OCI_MAX_TAGS/ },
  { name: "oci-tags-other-host", what: "an OCI tag list whose Link pages on to another host", code: "registry_error", message: /another host/ },
  { name: "oci-realm-metadata", what: "an OCI 401 challenge whose token realm is the cloud metadata address", code: "forbidden_destination", message: /169\.254\.169\.254/ },
  { name: "oci-token-trickle", what: "an OCI token endpoint that trickles its token", code: "timeout", message: /\/token\?.*CHARTHOUSE_READ_DEADLINE_MS/ },
  { name: "oci-schema1-manifest", what: "an OCI manifest of schemaVersion 1", code: "registry_error", message: /schemaVersion is 1/ },
  { name: "oci-config-swapped", what: "an OCI config blob that differs from its digest", code: "digest_mismatch" },
  { name: "oci-image-config", what: "an OCI artifact whose config is a container image's (skipped, noted)", code: "not_a_chart", note: true },
  { name: "oci-no-layers", what: "an OCI chart manifest without layers (skipped, noted)", code: "not_a_chart", note: true },
];

const versionCases: VersionCase[] = [
  {
    name: "nul-text",
    what: "a NUL (YAML \\0) in an index description",
    chart: "text",
    version: "1.0.0",
    state: "ready",
    check: (v) => expect(v.description).toBe("cafe"),
  },
  {
    name: "nul-text",
    what: "NUL in Chart.yaml (a \\0 escape), values.yaml and README (raw bytes)",
    chart: "text",
    version: "1.0.1",
    state: "ready",
  },
  { name: "nul-text", what: "a NUL in Chart.yaml's name", chart: "text", version: "1.0.2", state: "failed", code: "invalid_chart" },
  { name: "archive-protocol", what: "an archive trickled at one byte every 200 ms", chart: "slow", version: "1.0.0", state: "failed", code: "timeout" },
  { name: "archive-protocol", what: "an archive cut short, with a Content-Length to match", chart: "short", version: "1.0.0", state: "failed", code: "digest_mismatch" },
  {
    name: "oci-nul-config",
    what: "a NUL and an unpaired surrogate in an OCI config blob",
    chart: "app",
    version: "1.0.0",
    state: "ready",
    check: (v) => expect(v.description).toBe("ab\uFFFDc"),
  },
  { name: "archive-length-lie", what: "an archive with a Content-Length longer than its body, then the connection closed", chart: "lie", version: "1.0.0", state: "failed", code: "connection_failed" },
  { name: "archive-reset", what: "an archive reset in the middle of its body", chart: "reset", version: "1.0.0", state: "failed", code: "connection_failed" },
  { name: "archive-content", what: "an archive that is not gzip (an HTML page)", chart: "html", version: "1.0.0", state: "failed", code: "invalid_chart" },
  { name: "archive-content", what: "an archive that is gzip of something not a tar", chart: "notar", version: "1.0.0", state: "failed", code: "invalid_chart" },
  { name: "archive-content", what: "an archive without Chart.yaml", chart: "nochart", version: "1.0.0", state: "failed", code: "invalid_chart" },
  { name: "archive-content", what: "an archive whose Chart.yaml names another chart", chart: "alias", version: "1.0.0", state: "failed", code: "invalid_chart" },
  { name: "archive-content", what: "an archive of 2 MiB over CHARTHOUSE_MAX_ARCHIVE_BYTES (1 MiB)", chart: "huge", version: "1.0.0", state: "failed", code: "too_large", check: (v) => expect(v.error?.message).toContain("CHARTHOUSE_MAX_ARCHIVE_BYTES") },
  { name: "archive-content", what: "an archive holding a 6 MiB file over CHARTHOUSE_MAX_FILE_BYTES (5 MiB)", chart: "bigfile", version: "1.0.0", state: "failed", code: "too_large", check: (v) => expect(v.error?.message).toContain("CHARTHOUSE_MAX_FILE_BYTES") },
  { name: "archive-content", what: "an archive of 200 files over CHARTHOUSE_MAX_ARCHIVE_FILES (100)", chart: "many", version: "1.0.0", state: "failed", code: "too_large", check: (v) => expect(v.error?.message).toContain("CHARTHOUSE_MAX_ARCHIVE_FILES") },
  { name: "archive-content", what: "an archive whose digest is not the index's", chart: "wrongdigest", version: "1.0.0", state: "failed", code: "digest_mismatch" },
  { name: "numeric-versions", what: "an index whose versions are YAML numbers", chart: "num", version: "2", state: "ready" },
  { name: "oci-layer-swapped", what: "an OCI chart layer that differs from its digest", chart: "app", version: "1.0.0", state: "failed", code: "digest_mismatch" },
];

/**
 * The most seconds from a crafted registry's creation until its case has ended: a give-up after
 * 15 s, a 6 s read deadline on the last try, retries, and a machine loaded by every registry at once.
 */
const deadlineSeconds = 60;
/** When each case of the tables above was first seen ended, by caseKey. */
const endedAt = new Map<string, number>();
let watching = false;

function caseKey(hostile: RegistryCase | VersionCase): string {
  return "chart" in hostile ? `${hostile.name} ${hostile.chart}@${hostile.version}` : hostile.name;
}

/**
 * Polls every case of the tables once a second from creation on and notes when each ends (the
 * registry in `error`, or `ok` for a note case; the version `ready` or `failed`), so that each
 * test can tell whether its case ended within the deadline however late the test itself runs.
 */
async function watchCasesEnding(): Promise<void> {
  const pending = new Map<string, () => Promise<boolean>>();
  for (const hostile of registryCases) {
    pending.set(caseKey(hostile), async () => {
      const { status, body } = await charthouse.api<RegistryJson>("GET", `/registries/${ids.get(hostile.name)}`);
      if (status !== 200) return false;
      return hostile.note === true ? body.status.state === "ok" && body.status.last_outcome !== null : body.status.state === "error";
    });
  }
  for (const hostile of versionCases) {
    pending.set(caseKey(hostile), async () => {
      const { status, body } = await charthouse.api<ChartVersionJson>("GET", versionPath(ids.get(hostile.name)!, hostile.chart, hostile.version));
      return status === 200 && (body.state === "ready" || body.state === "failed");
    });
  }
  while (watching && pending.size > 0) {
    await Promise.all(
      [...pending].map(async ([key, ended]) => {
        if (await ended().catch(() => false)) {
          endedAt.set(key, Date.now());
          pending.delete(key);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Seconds from the case's registry creation until the case ended (waits for it, up to 60 s). */
async function secondsToEnd(hostile: RegistryCase | VersionCase): Promise<number> {
  const ended = await waitFor(() => endedAt.get(caseKey(hostile)) ?? false, { what: `${caseKey(hostile)} to end`, timeoutMs: 60_000 });
  return (ended - createdAt.get(hostile.name)!) / 1000;
}

/** Starts the crafted registries of the tables above; returns name -> registry URL. */
async function startCraftedRegistries(): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  const yaml = Buffer.from(`apiVersion: v1\nentries:\n  x:\n  - name: x\n    version: 1.0.0\n    urls: [x-1.0.0.tgz]\n${"# padding\n".repeat(2000)}`);
  urls["trickled-index"] = (await craftedServer((_req, res) => trickle(res, yaml, 200))).origin;
  const loop = await craftedServer((_req, res) => {
    res.writeHead(302, { location: "/index.yaml" });
    res.end();
  });
  urls["redirect-loop"] = loop.origin;
  const bomb = gzipSync(Buffer.alloc(64 * MiB, 0x23));
  urls["gzip-bomb-index"] = (
    await craftedServer((_req, res) => {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": String(bomb.byteLength) });
      res.end(bomb);
    })
  ).origin;
  urls["zstd-index"] = (
    await craftedServer((_req, res) => {
      res.writeHead(200, { "content-encoding": "zstd" });
      res.end("\u0028\u00b5\u002f\u00fd not really zstd");
    })
  ).origin;

  // NUL where Postgres cannot store it: an index description, Chart.yaml, values.yaml, README, a name.
  const textGood = await craftTgz([
    { name: "text/Chart.yaml", content: chartYaml("text", "1.0.0") },
    { name: "text/values.yaml", content: "replicaCount: 1\n" },
  ]);
  const textNul = await craftTgz([
    { name: "text/Chart.yaml", content: 'apiVersion: v2\nname: text\nversion: 1.0.1\ndescription: "nul\\0here"\nannotations:\n  "k\\0": "v\\0"\n' },
    { name: "text/values.yaml", content: Buffer.from("replicaCount: 1\u0000\u0000\n") },
    { name: "text/README.md", content: Buffer.concat([Buffer.from("# Text"), Buffer.alloc(8), Buffer.from(" chart\n")]) },
  ]);
  const textBadName = await craftTgz([{ name: "text/Chart.yaml", content: 'apiVersion: v2\nname: "te\\0xt"\nversion: 1.0.2\n' }]);
  const textIndex =
    "apiVersion: v1\nentries:\n  text:\n" +
    indexEntry("text", "1.0.0", textGood, { description: '"caf\\0e"' }) +
    indexEntry("text", "1.0.1", textNul) +
    indexEntry("text", "1.0.2", textBadName);
  urls["nul-text"] = (
    await servePaths({ "/index.yaml": textIndex, "/text-1.0.0.tgz": textGood, "/text-1.0.1.tgz": textNul, "/text-1.0.2.tgz": textBadName })
  ).origin;

  // Archives that trickle, or arrive cut short.
  const slow = await simpleChart("slow", "1.0.0");
  const short = await simpleChart("short", "1.0.0");
  const protocolIndex = `apiVersion: v1\nentries:\n  slow:\n${indexEntry("slow", "1.0.0", slow)}  short:\n${indexEntry("short", "1.0.0", short)}`;
  urls["archive-protocol"] = (
    await craftedServer((req, res) => {
      if (req.url === "/index.yaml") {
        res.writeHead(200, { "content-length": String(Buffer.byteLength(protocolIndex)) });
        res.end(protocolIndex);
      } else if (req.url === "/slow-1.0.0.tgz") {
        trickle(res, slow, 200);
      } else {
        const cut = short.subarray(0, Math.floor(short.byteLength / 2));
        res.writeHead(200, { "content-length": String(cut.byteLength) });
        res.end(cut);
      }
    })
  ).origin;

  // OCI: manifests, config blobs, tag lists and their paging.
  const app = await simpleChart("app", "1.0.0");
  const config = JSON.stringify({ apiVersion: "v2", name: "app", version: "1.0.0" });
  const oci = async (name: string, options: Omit<Parameters<typeof startHostileOciRegistry>[0], "repository">): Promise<void> => {
    urls[name] = `oci://${(await craftedOci({ repository: "charts/app", ...options })).host}/charts/app`;
  };
  await oci("oci-binary-manifest", { charts: { "1.0.0": { manifest: Buffer.from([0, 0, 0x7b, 0xff, 0]), config, layer: app } } });
  await oci("oci-list-manifest", { charts: { "1.0.0": { manifest: "[1,2,3]", config, layer: app } } });
  await oci("oci-config-not-json", { charts: { "1.0.0": { config: Buffer.from([0, 0x7b, 0xff]), layer: app } } });
  await oci("oci-tags-not-json", { charts: { "1.0.0": { config, layer: app } }, tags: () => ({ body: "tags: [1.0.0]" }) });
  await oci("oci-tags-self-link", {
    charts: { "1.0.0": { config, layer: app } },
    tags: () => ({ body: JSON.stringify({ tags: ["1.0.0"] }), link: '</v2/charts/app/tags/list>; rel="next"' }),
  });
  await oci("oci-tags-endless", {
    charts: { "1.0.0": { config, layer: app } },
    tags: (url) => ({
      body: JSON.stringify({ tags: ["1.0.0"] }),
      link: `</v2/charts/app/tags/list?page=${Number(url.searchParams.get("page") ?? 0) + 1}>; rel="next"`,
    }),
  });
  const nulConfig = '{"apiVersion":"v2","name":"app","version":"1.0.0","description":"a\\u0000b\\ud800c"}';
  await oci("oci-nul-config", { charts: { "1.0.0": { config: nulConfig, layer: app } } });
  await oci("oci-trickled-manifest", { charts: { "1.0.0": { config, layer: app } }, trickleManifestMs: 200 });
  return { ...urls, ...(await startProtocolRegistries()), ...(await startDocumentRegistries()), ...(await startArchiveRegistries()), ...(await startMoreOciRegistries(app, config)) };
}

/** A raw server answering every request with these bytes, then closing. */
async function rawAnswer(bytes: string): Promise<string> {
  return (await craftedRaw((socket) => socket.end(bytes))).origin;
}

/** A crafted server answering every request with this status, headers and body. */
async function answer(status: number, headers: Record<string, string>, body: string | Buffer): Promise<string> {
  return (
    await craftedServer((_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    })
  ).origin;
}

/** Registries whose index.yaml breaks the HTTP protocol: lengths, resets, headers, redirects, encodings. */
async function startProtocolRegistries(): Promise<Record<string, string>> {
  const yaml = "apiVersion: v1\nentries:\n";
  const whole = gzipSync(Buffer.from(`${yaml}${"# padding\n".repeat(100_000)}`));
  return {
    "index-length-lie": await rawAnswer(`HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: 100000\r\n\r\n${yaml}`),
    "index-reset": (
      await craftedRaw((socket) => socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n${yaml}`, () => socket.resetAndDestroy()))
    ).origin,
    "index-no-answer": (await craftedRaw((socket) => socket.destroy())).origin,
    "index-not-http": await rawAnswer("SSH-2.0-OpenSSH_9.2\r\n\r\n"),
    "index-huge-headers": await rawAnswer(`HTTP/1.1 200 OK\r\nX-Huge: ${"a".repeat(256 * 1024)}\r\nContent-Length: 2\r\n\r\nok`),
    "index-headers-trickle": (
      await craftedRaw((socket) => {
        socket.write("HTTP/1.1 200 OK\r\n");
        const timer = setInterval(() => (socket.destroyed ? clearInterval(timer) : socket.write("X-Slow: 1\r\n")), 100);
        socket.on("close", () => clearInterval(timer));
      })
    ).origin,
    "index-length-over-cap": (await craftedRaw((socket) => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\nabc"))).origin,
    "redirect-file": await answer(301, { location: "file:///etc/passwd" }, ""),
    "redirect-metadata": await answer(307, { location: "http://169.254.169.254/latest/meta-data/" }, ""),
    "deflate-bomb-index": await answer(200, { "content-encoding": "deflate" }, deflateSync(Buffer.alloc(16 * MiB))),
    "corrupt-gzip-index": await answer(200, { "content-encoding": "gzip" }, whole.subarray(0, Math.floor(whole.length / 2))),
    "corrupt-br-index": await answer(200, { "content-encoding": "br" }, Buffer.from(`${yaml}  not: brotli\n`)),
    "trickled-503": (
      await craftedServer((_req, res) => {
        res.writeHead(503, { "content-type": "text/html" });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write("<html>")), 100);
        res.on("close", () => clearInterval(timer));
      })
    ).origin,
  };
}

/** Registries whose index.yaml parses but has the wrong shape or size. */
async function startDocumentRegistries(): Promise<Record<string, string>> {
  const versions = Array.from({ length: 10_000 }, (_, i) => `  - name: many\n    version: 1.0.${i}\n    urls: [many-1.0.${i}.tgz]\n`).join("");
  const num = await craftTgz([{ name: "num/Chart.yaml", content: chartYaml("num", "2") }]);
  const numIndex = `apiVersion: v1\nentries:\n  num:\n  - apiVersion: v2\n    name: num\n    version: 2\n    digest: ${sha256Hex(num)}\n    urls: [num-2.tgz]\n`;
  return {
    "json-array-index": (await servePaths({ "/index.yaml": JSON.stringify([{ apiVersion: "v1", entries: { app: [] } }]) })).origin,
    "entries-list-index": (await servePaths({ "/index.yaml": "apiVersion: v1\nentries:\n- name: app\n  version: 1.0.0\n  urls: [app-1.0.0.tgz]\n" })).origin,
    "duplicate-keys-index": (
      await servePaths({
        "/index.yaml": "apiVersion: v1\nentries:\n  app:\n  - name: app\n    version: 1.0.0\n    urls: [a.tgz]\n  app:\n  - name: app\n    version: 2.0.0\n    urls: [b.tgz]\n",
      })
    ).origin,
    "too-many-versions": (await servePaths({ "/index.yaml": `apiVersion: v1\nentries:\n  many:\n${versions}` })).origin,
    "numeric-versions": (await servePaths({ "/index.yaml": numIndex, "/num-2.tgz": num })).origin,
  };
}

/** Registries serving archives that lie about their length, reset, or hold what no chart should. */
async function startArchiveRegistries(): Promise<Record<string, string>> {
  const lie = await simpleChart("lie", "1.0.0");
  const reset = await simpleChart("reset", "1.0.0");
  const liar = (chart: string, archive: Buffer, send: (res: ServerResponse) => void): Promise<HostileServer> => {
    const index = `apiVersion: v1\nentries:\n  ${chart}:\n${indexEntry(chart, "1.0.0", archive)}`;
    return craftedServer((req, res) => {
      if (req.url === "/index.yaml") {
        res.writeHead(200, { "content-length": String(Buffer.byteLength(index)) });
        res.end(index);
      } else send(res);
    });
  };
  const half = (archive: Buffer): Buffer => archive.subarray(0, Math.floor(archive.byteLength / 2));
  const content: [string, Buffer][] = [
    ["html", Buffer.from("<!DOCTYPE html><html><body>Not found</body></html>\n")],
    ["notar", gzipSync(Buffer.from("name: notar\nversion: 1.0.0\n".repeat(40)))],
    ["nochart", await craftTgz([{ name: "nochart/values.yaml", content: "replicaCount: 1\n" }])],
    ["alias", await simpleChart("other", "1.0.0")],
    ["huge", await craftTgz([{ name: "huge/Chart.yaml", content: chartYaml("huge", "1.0.0") }, { name: "huge/noise.bin", content: randomBytes(2 * MiB) }])],
    ["bigfile", await craftTgz([{ name: "bigfile/Chart.yaml", content: chartYaml("bigfile", "1.0.0") }, { name: "bigfile/big.bin", content: Buffer.alloc(6 * MiB) }])],
    [
      "many",
      await craftTgz([
        { name: "many/Chart.yaml", content: chartYaml("many", "1.0.0") },
        ...Array.from({ length: 200 }, (_, i) => ({ name: `many/templates/t${i}.yaml`, content: `# ${i}\n` })),
      ]),
    ],
  ];
  const files: Record<string, Buffer | string> = {};
  let index = "apiVersion: v1\nentries:\n";
  for (const [chart, archive] of content) {
    index += `  ${chart}:\n${indexEntry(chart, "1.0.0", archive)}`;
    files[`/${chart}-1.0.0.tgz`] = archive;
  }
  // A good archive whose published digest is another archive's.
  const honest = await simpleChart("wrongdigest", "1.0.0");
  index += `  wrongdigest:\n${indexEntry("wrongdigest", "1.0.0", await simpleChart("wrongdigest", "1.0.1"))}`;
  files["/wrongdigest-1.0.0.tgz"] = honest;
  files["/index.yaml"] = index;
  return {
    "archive-length-lie": (
      await liar("lie", lie, (res) => {
        res.writeHead(200, { "content-length": String(lie.byteLength * 2) });
        res.write(lie, () => res.socket?.end());
      })
    ).origin,
    "archive-reset": (
      await liar("reset", reset, (res) => {
        res.writeHead(200, { "content-length": String(reset.byteLength) });
        res.write(half(reset), () => res.socket?.resetAndDestroy());
      })
    ).origin,
    "archive-content": (await servePaths(files)).origin,
  };
}

/** OCI registries lying in tag lists, paging, auth, manifests and blobs. */
async function startMoreOciRegistries(app: Buffer, config: string): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  const oci = async (name: string, options: Omit<Parameters<typeof startHostileOciRegistry>[0], "repository">): Promise<void> => {
    urls[name] = `oci://${(await craftedOci({ repository: "charts/app", ...options })).host}/charts/app`;
  };
  const charts = { "1.0.0": { config, layer: app } };
  await oci("oci-tags-object", { charts, tags: () => ({ body: JSON.stringify({ name: "charts/app", tags: { "1.0.0": true } }) }) });
  await oci("oci-too-many-tags", {
    charts,
    tags: () => ({ body: JSON.stringify({ name: "charts/app", tags: Array.from({ length: 10_000 }, (_, i) => `1.0.${i}`) }) }),
  });
  await oci("oci-tags-other-host", {
    charts,
    tags: () => ({ body: JSON.stringify({ tags: ["1.0.0"] }), link: '<http://169.254.169.254/v2/charts/app/tags/list?n=1>; rel="next"' }),
  });
  await oci("oci-realm-metadata", { charts, realm: "http://169.254.169.254/latest/meta-data/token" });
  await oci("oci-token-trickle", {
    charts,
    realm: "/token",
    token: (_req, res) => trickle(res, Buffer.from(JSON.stringify({ token: "t".repeat(200), expires_in: 300 })), 200, { "content-type": "application/json" }),
  });
  await oci("oci-schema1-manifest", { charts: { "1.0.0": { config, layer: app, manifest: JSON.stringify({ schemaVersion: 1, fsLayers: [] }) } } });
  await oci("oci-config-swapped", { charts, swappedBlobs: { [ociDigest(config)]: Buffer.from('{"apiVersion":"v2","name":"swapped","version":"1.0.0"}') } });
  const imageConfig = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
  const imageManifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: ociDigest(imageConfig), size: Buffer.byteLength(imageConfig) },
    layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: ociDigest(app), size: app.byteLength }],
  });
  await oci("oci-image-config", { charts: { "1.0.0": { config: imageConfig, layer: app, manifest: imageManifest } } });
  const noLayers = { ...(JSON.parse(helmManifest(config, app)) as Record<string, unknown>), layers: [] };
  await oci("oci-no-layers", { charts: { "1.0.0": { config, layer: app, manifest: JSON.stringify(noLayers) } } });
  // Its own layer bytes: an archive already stored under the digest would be taken as it is.
  const ownLayer = await simpleChart("app", "1.0.0-swapped");
  await oci("oci-layer-swapped", { charts: { "1.0.0": { config, layer: ownLayer } }, swappedBlobs: { [ociDigest(ownLayer)]: await simpleChart("app", "1.0.1") } });
  return urls;
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
      CHARTHOUSE_GIVE_UP_AFTER_SECONDS: "15",
      CHARTHOUSE_READ_DEADLINE_MS: "6000",
      CHARTHOUSE_BODY_TIMEOUT_MS: "3000",
      CHARTHOUSE_REQUEST_TIMEOUT_MS: "5000",
      CHARTHOUSE_MAX_INDEX_VERSIONS: "1000",
      CHARTHOUSE_MAX_ARCHIVE_BYTES: String(1 * MiB),
      CHARTHOUSE_MAX_ARCHIVE_FILES: "100",
      CHARTHOUSE_OCI_MAX_TAGS: "1000",
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
    ...(await startCraftedRegistries()),
  };
  await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      createdAt.set(name, Date.now());
      ids.set(name, await addRegistry(charthouse, name, url));
    }),
  );
  watching = true;
  void watchCasesEnding();
});

afterAll(async () => {
  watching = false;
  await charthouse?.stop();
  await healthy?.stop();
  await hostile?.stop();
  if (endless) await new Promise<void>((resolve) => { endless.server.closeAllConnections(); endless.server.close(() => resolve()); });
  if (hostileRoot) await removeTempDir(hostileRoot);
  await Promise.all(crafted.map((server) => server.close()));
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

describe("hostile registries through every service (crafted servers)", () => {
  it.each(registryCases.filter((c) => c.note === true).map((c) => [c.what, c] as const))("%s: the sync ends ok with its note", async (_what, hostile) => {
    const id = ids.get(hostile.name)!;
    const registry = await registrySettled(charthouse, id, `registry ${hostile.name}`, 45_000);
    expect(registry.status).toMatchObject({ state: "ok", last_error: null, versions: 0 });
    const runs = await charthouse.api<{ items: SyncRunJson[] }>("GET", `/registries/${id}/syncs`);
    const notes = runs.body.items.flatMap((run) => run.notes.map((note) => note.code));
    expect(notes).toContain(hostile.code);
    expect(isErrorCode(hostile.code)).toBe(true);
    expect(await secondsToEnd(hostile)).toBeLessThan(deadlineSeconds);
  });

  it.each(registryCases.filter((c) => c.note !== true).map((c) => [c.what, c] as const))("%s ends with its code within its deadline", async (_what, hostile) => {
    let last: RegistryJson | undefined;
    const registry = await registryWhen(
      charthouse,
      ids.get(hostile.name)!,
      (r) => {
        last = r;
        return r.status.state === "error" && r.status.last_error?.code === hostile.code;
      },
      `registry ${hostile.name} to fail with ${hostile.code}`,
      45_000,
    ).catch((err: unknown) => {
      const logged = charthouse.logs().split("\n").filter((line) => line.includes(ids.get(hostile.name)!)).slice(-6);
      throw new Error(`${String(err)}; last seen: ${JSON.stringify(last?.status)}; logged: ${logged.join("\n")}`);
    });
    const error = registry.status.last_error!;
    expect(await secondsToEnd(hostile)).toBeLessThan(deadlineSeconds);
    expect(isErrorCode(error.code)).toBe(true);
    if (hostile.message !== undefined) expect(`${error.message} ${error.solution}`).toMatch(hostile.message);
    expect(JSON.stringify(error)).not.toMatch(/\\u0000/);
  });

  it.each(versionCases.map((c) => [c.what, c] as const))("%s", async (_what, hostile) => {
    const version = await versionSettled(charthouse, ids.get(hostile.name)!, hostile.chart, hostile.version, 45_000);
    expect({ state: version.state, code: version.error?.code ?? null }, JSON.stringify(version.error)).toEqual({
      state: hostile.state,
      code: hostile.code ?? null,
    });
    hostile.check?.(version);
    expect(await secondsToEnd(hostile)).toBeLessThan(deadlineSeconds);
  });

  it("stores what the NUL-laden chart holds, cleaned", async () => {
    const id = ids.get("nul-text")!;
    const values = await charthouse.api<string>("GET", `${versionPath(id, "text", "1.0.1")}/values`);
    expect(values.body).toBe("replicaCount: 1\n");
    const version = await charthouse.api<ChartVersionJson>("GET", versionPath(id, "text", "1.0.1"));
    expect(JSON.stringify(version.body)).not.toMatch(/\\u0000/);
  });

  it("leaves no crafted registry syncing, every service up, and the control registry still syncing", async () => {
    for (const name of [...new Set([...registryCases, ...versionCases].map((c) => c.name))]) {
      const registry = await registryWhen(charthouse, ids.get(name)!, (r) => r.status.state !== "syncing" && r.status.state !== "pending", `${name} to stop syncing`);
      expect(registry.status.state, name).not.toBe("syncing");
    }
    const run = await syncNow(charthouse, ids.get("healthy")!);
    expect(run).toMatchObject({ outcome: expect.stringMatching(/^(updated|unchanged)$/), error: null });
    const healthyRegistry = await charthouse.api<RegistryJson>("GET", `/registries/${ids.get("healthy")}`);
    expect(healthyRegistry.body.status).toMatchObject({ state: "ok", versions_failed: 0, last_error: null });
    for (const process of charthouse.stack.processes) expect(process.child.exitCode, process.service).toBeNull();
  });
});
