// Crafted registries for the hostile corpus: each a real server on 127.0.0.1 of its own (so
// each has its own circuit breaker), serving exactly the bytes and timing a hostile registry would.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { startLocalHttp, type LocalHttp } from "@charthouse/testing";

/** A crafted registry server; `requests` counts what it was asked. */
export interface HostileServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `127.0.0.1:PORT`, for oci:// URLs. */
  host: string;
  requests: string[];
  close(): Promise<void>;
}

/** Starts a crafted registry answering with `handler`. */
export async function startHostileServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HostileServer> {
  const requests: string[] = [];
  const server: LocalHttp = await startLocalHttp((req, res) => {
    requests.push(`${req.method ?? "GET"} ${req.url ?? ""}`);
    handler(req, res);
  });
  return { origin: server.origin, host: server.origin.slice("http://".length), requests, close: () => server.close() };
}

/**
 * Starts a crafted registry below HTTP: each connection, once it has sent its request, is handed
 * to `onSocket` to write raw bytes, lie about lengths, or reset.
 */
export async function startRawServer(onSocket: (socket: Socket) => void): Promise<HostileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (chunk: Buffer) => {
      requests.push(chunk.toString("latin1").split("\r\n", 1)[0] ?? "");
      onSocket(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin: `http://${host}`,
    host,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends `bytes` one byte every `everyMs` (a trickle that dodges an idle timeout), until the client leaves. */
export function trickle(res: ServerResponse, bytes: Buffer, everyMs: number, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-length": String(bytes.byteLength), ...headers });
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= bytes.byteLength) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(bytes.subarray(at, ++at));
  }, everyMs);
  res.on("close", () => clearInterval(timer));
}

/** sha256 of some bytes as an OCI digest. */
export function ociDigest(bytes: string | Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** What a crafted OCI repository serves for one tag. */
export interface CraftedOciChart {
  /** The manifest's bytes; default a Helm chart manifest naming `config` and `layer`. */
  manifest?: string | Buffer;
  /** The config blob (Chart.yaml as JSON). */
  config: string | Buffer;
  /** The chart archive layer. */
  layer: Buffer;
}

/** The manifest helm pushes for a chart: its config blob and its archive layer. */
export function helmManifest(config: string | Buffer, layer: Buffer): string {
  return JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: "application/vnd.cncf.helm.config.v1+json", digest: ociDigest(config), size: Buffer.byteLength(config) },
    layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: ociDigest(layer), size: layer.byteLength }],
  });
}

/** One page of a tag list: its body, and a Link header when it pages on. */
export interface TagListPage {
  body: string;
  link?: string;
}

/**
 * A crafted OCI registry serving one repository: its tag list from `tags` (a body and an optional
 * Link for each page URL), and each tag's manifest, config and layer from `charts`.
 */
export async function startHostileOciRegistry(options: {
  repository: string;
  charts: Record<string, CraftedOciChart>;
  tags?: (url: URL) => TagListPage;
  /** Trickle each manifest at one byte every this many ms. */
  trickleManifestMs?: number;
  /**
   * Answer every /v2/ request without a token with a Bearer challenge naming this realm: an
   * absolute URL, or a path on this server (then served by `token`).
   */
  realm?: string;
  /** Serves the realm's path on this server (the token endpoint). */
  token?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Blobs served at a digest they do not match (a swapped config or layer), by digest. */
  swappedBlobs?: Record<string, Buffer>;
}): Promise<HostileServer> {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  for (const [tag, chart] of Object.entries(options.charts)) {
    const config = Buffer.from(chart.config);
    blobs.set(ociDigest(config), config);
    blobs.set(ociDigest(chart.layer), chart.layer);
    manifests.set(tag, Buffer.from(chart.manifest ?? helmManifest(config, chart.layer)));
  }
  for (const [digest, blob] of Object.entries(options.swappedBlobs ?? {})) blobs.set(digest, blob);
  const prefix = `/v2/${options.repository}/`;
  const tags = options.tags ?? ((): TagListPage => ({ body: JSON.stringify({ name: options.repository, tags: Object.keys(options.charts) }) }));
  const server = await startHostileServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://registry");
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const notFound = (): void => send(404, JSON.stringify({ errors: [{ code: "NAME_UNKNOWN", message: "unknown" }] }));
    if (options.realm !== undefined) {
      if (options.token !== undefined && url.pathname === new URL(options.realm, "http://registry").pathname) return options.token(req, res);
      if (req.headers.authorization === undefined) {
        const realm = new URL(options.realm, server.origin).href;
        const scope = `repository:${options.repository}:pull`;
        return send(401, JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }), {
          "www-authenticate": `Bearer realm="${realm}",service="registry",scope="${scope}"`,
        });
      }
    }
    if (url.pathname === "/v2/" || url.pathname === "/v2") return send(200, "{}");
    if (!url.pathname.startsWith(prefix)) return notFound();
    const rest = url.pathname.slice(prefix.length);
    if (rest === "tags/list") {
      const page = tags(url);
      return send(200, page.body, page.link === undefined ? {} : { link: page.link });
    }
    if (rest.startsWith("manifests/")) {
      const manifest = manifests.get(rest.slice("manifests/".length));
      if (manifest === undefined) return notFound();
      const type = { "content-type": "application/vnd.oci.image.manifest.v1+json" };
      if (options.trickleManifestMs !== undefined && req.method !== "HEAD") return trickle(res, manifest, options.trickleManifestMs, type);
      return send(200, manifest, { "content-type": "application/vnd.oci.image.manifest.v1+json" });
    }
    if (rest.startsWith("blobs/")) {
      const blob = blobs.get(rest.slice("blobs/".length));
      if (blob === undefined) return notFound();
      return send(200, blob, { "content-type": "application/octet-stream" });
    }
    notFound();
  });
  return server;
}
