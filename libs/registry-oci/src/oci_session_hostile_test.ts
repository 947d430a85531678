// What a hostile OCI registry can serve in manifests, config blobs, tag lists and their paging:
// each ends quickly with a code from the error table, and an error that quotes the registry's
// bytes can still be stored (no NUL reaches Postgres).
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { errorCodes, toStoredError } from "@charthouse/errors";
import { closeRegistryAgents, createHostBreakers } from "@charthouse/outbound-http";
import { rejectionOf } from "@charthouse/testing";
import { createOciClient } from "./oci_client.ts";
import { ociMediaTypes } from "./media_types.ts";
import { parseOciReference } from "./oci_reference.ts";
import type { OciSession } from "./oci_session.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, origin: string) => void;

const servers: { close(): Promise<void> }[] = [];
const breakers = createHostBreakers({ minimumCalls: 1000 });

async function session(handler: Handler): Promise<OciSession> {
  let origin = "";
  const server = createServer((req, res) => handler(req, res, origin));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push({
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  const client = createOciClient({
    access: {
      breakers,
      logins: { login: async () => null, forget() {} },
      request: { timeoutMs: 1_000, bodyTimeoutMs: 1_000, deadlineMs: 1_500, blockPrivateNetworks: false },
    },
    limits: { maxTags: 500, maxRepositories: 50 },
  });
  return client.session(parseOciReference(`oci://${origin.slice("http://".length)}/charts/app`), null);
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  breakers.close();
  await closeRegistryAgents();
});

function send(res: ServerResponse, body: string | Buffer, headers: Record<string, string> = {}, status = 200): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

const sha = (bytes: string | Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A registry whose manifest of charts/app:1.0.0 is `manifest`, and whose config blob is `config`. */
function manifestRegistry(manifest: string | Buffer, config: string | Buffer = "{}"): Handler {
  return (req, res) => {
    if (req.url?.includes("/blobs/")) return send(res, config);
    send(res, manifest, { "content-type": ociMediaTypes.ociManifest });
  };
}

/** A chart manifest that names a config blob with these bytes. */
function chartManifest(config: string | Buffer, configDigest = sha(config)): string {
  return JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: ociMediaTypes.helmConfig, digest: configDigest, size: Buffer.byteLength(config) },
    layers: [{ mediaType: ociMediaTypes.helmChartContent, digest: `sha256:${"a".repeat(64)}`, size: 10 }],
  });
}

/** A tag list answered page by page by `page(url)`. */
function tagRegistry(page: (url: URL, origin: string) => { body: string; link?: string }): Handler {
  return (req, res, origin) => {
    const answer = page(new URL(req.url ?? "/", origin), origin);
    send(res, answer.body, answer.link === undefined ? {} : { link: answer.link });
  };
}

interface HostileCase {
  name: string;
  handler: Handler;
  run: (session: OciSession) => Promise<unknown>;
  code: keyof typeof errorCodes;
  message?: RegExp;
}

const manifestOf = (s: OciSession): Promise<unknown> => s.manifest("charts/app", "1.0.0", { listed: true });
const configOf = (config: string | Buffer) => async (s: OciSession): Promise<unknown> => await s.chartConfig("charts/app", sha(config));
const tagsOf = (s: OciSession): Promise<unknown> => s.listTags("charts/app");

const binaryConfig = Buffer.from([0x00, 0x01, 0xff, 0x7b, 0x00]);
const cases: HostileCase[] = [
  { name: "a manifest that is binary, NUL bytes included", handler: manifestRegistry(Buffer.from([0x00, 0x00, 0x7b, 0xff, 0x00])), run: manifestOf, code: "registry_error", message: /is not JSON/ },
  { name: "a manifest that is an HTML page", handler: manifestRegistry("<html><body>Sign in</body></html>"), run: manifestOf, code: "registry_error", message: /is not JSON/ },
  { name: "a manifest that is a JSON list", handler: manifestRegistry("[1,2,3]"), run: manifestOf, code: "registry_error", message: /not a JSON object/ },
  { name: "a manifest of schemaVersion 1", handler: manifestRegistry(JSON.stringify({ schemaVersion: 1, fsLayers: [] })), run: manifestOf, code: "registry_error", message: /schemaVersion is 1/ },
  { name: "a manifest whose layers is not a list", handler: manifestRegistry(JSON.stringify({ schemaVersion: 2, config: { mediaType: "x", digest: sha("x"), size: 1 }, layers: "all of them" })), run: manifestOf, code: "registry_error", message: /layers is not a list/ },
  { name: "a manifest whose config digest is not a digest", handler: manifestRegistry(JSON.stringify({ schemaVersion: 2, config: { mediaType: ociMediaTypes.helmConfig, digest: "sha256:../../etc", size: 1 }, layers: [] })), run: manifestOf, code: "registry_error", message: /digest is not/ },
  { name: "a manifest whose bytes do not match its Docker-Content-Digest", handler: (_req, res) => send(res, chartManifest("{}"), { "docker-content-digest": sha("something else") }), run: manifestOf, code: "digest_mismatch" },
  { name: "a manifest trickled one byte every 100 ms", handler: (_req, res) => { res.writeHead(200, { "content-type": ociMediaTypes.ociManifest }); const timer = setInterval(() => res.write(" "), 100); res.on("close", () => clearInterval(timer)); }, run: manifestOf, code: "timeout", message: /CHARTHOUSE_READ_DEADLINE_MS/ },
  { name: "a config blob that is not JSON (binary)", handler: manifestRegistry(chartManifest(binaryConfig), binaryConfig), run: configOf(binaryConfig), code: "registry_error", message: /did not answer JSON/ },
  { name: "a config blob that is a JSON string", handler: manifestRegistry(chartManifest('"chart"'), '"chart"'), run: configOf('"chart"'), code: "registry_error", message: /not an object/ },
  { name: "a config blob that differs from its digest", handler: manifestRegistry(chartManifest("{}"), '{"name":"swapped"}'), run: configOf("{}"), code: "digest_mismatch" },
  { name: "a tag list that is not JSON", handler: tagRegistry(() => ({ body: "tags: [1.0.0]" })), run: tagsOf, code: "registry_error", message: /did not answer JSON/ },
  { name: "a tag list whose tags is an object", handler: tagRegistry(() => ({ body: JSON.stringify({ name: "charts/app", tags: { "1.0.0": true } }) })), run: tagsOf, code: "registry_error", message: /not a list/ },
  { name: "a tag list whose Link points at itself", handler: tagRegistry(() => ({ body: JSON.stringify({ tags: ["1.0.0"] }), link: '</v2/charts/app/tags/list>; rel="next"' })), run: tagsOf, code: "registry_error", message: /pages in a loop/ },
  {
    name: "a tag list paging on forever with the same tags",
    handler: tagRegistry((url) => ({ body: JSON.stringify({ tags: ["1.0.0"] }), link: `</v2/charts/app/tags/list?page=${Number(url.searchParams.get("page") ?? 0) + 1}>; rel="next"` })),
    run: tagsOf,
    code: "registry_error",
    message: /pages in a loop/,
  },
  {
    name: "a tag list paging on forever with new tags each page",
    handler: tagRegistry((url) => {
      const page = Number(url.searchParams.get("page") ?? 0);
      return { body: JSON.stringify({ tags: Array.from({ length: 50 }, (_, i) => `1.${page}.${i}`) }), link: `</v2/charts/app/tags/list?page=${page + 1}>; rel="next"` };
    }),
    run: tagsOf,
    code: "too_large",
    message: /CHARTHOUSE_OCI_MAX_TAGS/,
  },
  { name: "a tag list paging to another host", handler: tagRegistry(() => ({ body: JSON.stringify({ tags: ["1.0.0"] }), link: '<http://169.254.169.254/v2/charts/app/tags/list?n=1>; rel="next"' })), run: tagsOf, code: "registry_error", message: /another host/ },
  {
    name: "a catalog paging on forever with the same repositories",
    handler: tagRegistry((url) => ({ body: JSON.stringify({ repositories: ["charts/app"] }), link: `</v2/_catalog?last=${Number(url.searchParams.get("last") ?? 0) + 1}>; rel="next"` })),
    run: (s) => s.listRepositories("charts"),
    code: "registry_error",
    message: /pages in a loop/,
  },
];

describe("OCI sessions against hostile registries", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, hostile) => {
    const started = Date.now();
    const err = await rejectionOf(hostile.run(await session(hostile.handler)));
    const stored = toStoredError(err);
    expect({ code: stored.code, message: stored.message }).toMatchObject({ code: hostile.code, message: hostile.message ?? expect.any(String) });
    // Recording it never fails: nothing Postgres refuses in any field.
    expect(JSON.stringify(stored)).not.toMatch(/\\u0000/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it("cleans NUL and unpaired surrogates out of a config blob (Chart.yaml as JSON) for jsonb", async () => {
    const config = '{"name":"app","version":"1.0.0","description":"a\\u0000b\\ud800c","annotations":{"k\\u0000":"v"}}';
    const s = await session(manifestRegistry(chartManifest(config), config));
    const read = await s.chartConfig("charts/app", sha(config));
    expect(read).toEqual({ name: "app", version: "1.0.0", description: "ab\uFFFDc", annotations: { k: "v" } });
  });
});
