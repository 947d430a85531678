import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** What a {@link FlakyProxy} did with one request. */
export type FlakyOutcome =
  /** Passed to the upstream and its answer returned whole. */
  | "forwarded"
  /** Answered 503 itself. */
  | "unavailable"
  /** Answered 429 with Retry-After itself. */
  | "rate_limited"
  /** Sent the upstream's status, headers and part of its body, then reset the connection (TCP RST). */
  | "reset"
  /** Sent the upstream's headers with its Content-Length but only part of the body, then closed the connection. */
  | "truncated"
  /** Arrived while the proxy was dark in "blackhole" mode: never answered. */
  | "blackholed";

/** The share (0..1) of requests given each fault; the rest are forwarded. */
export interface FlakyShares {
  unavailable?: number;
  reset?: number;
  truncated?: number;
  rateLimited?: number;
}

/** Options of {@link startFlakyProxy}. */
export interface FlakyProxyOptions {
  shares?: FlakyShares;
  /** The Retry-After of a 429, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Only requests whose path this accepts get faults (default: every request). */
  appliesTo?: (path: string) => boolean;
  /** A number in [0, 1) per request (default Math.random): a seeded one makes a run repeatable. */
  random?: () => number;
  /** The largest upstream body buffered (default 64 MiB); a larger one is answered 502. */
  maxBodyBytes?: number;
}

/** One request seen by a {@link FlakyProxy}. */
export interface FlakyRequest {
  method: string;
  path: string;
  outcome: FlakyOutcome;
}

/** A reverse proxy in the test process that makes an honest upstream unreliable on purpose. */
export interface FlakyProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The requests seen so far, oldest first (not those refused while dark). */
  requests(): FlakyRequest[];
  /** Replaces the shares of faults from the next request on. */
  setShares(shares: FlakyShares): void;
  /**
   * The host goes dark: "refuse" stops listening (connections are refused) and drops open ones;
   * "blackhole" accepts connections and never answers.
   */
  goDark(mode: "refuse" | "blackhole"): Promise<void>;
  /** Ends a dark period: drops the connections held in the dark and serves again on the same port. */
  light(): Promise<void>;
  stop(): Promise<void>;
}

const hopByHop = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

/**
 * Starts a reverse proxy on 127.0.0.1 in front of `upstream` (an `http://` origin) that answers a
 * configurable share of requests with 503, 429 + Retry-After, a connection reset mid-body or a
 * body cut short of its Content-Length, and can go dark for a while: the lying registry of the
 * fault tests. Upstream answers are buffered whole, so keep them small.
 */
export async function startFlakyProxy(upstream: string, options: FlakyProxyOptions = {}): Promise<FlakyProxy> {
  const target = new URL(upstream);
  const random = options.random ?? Math.random;
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  let shares: FlakyShares = { ...options.shares };
  let dark: "refuse" | "blackhole" | null = null;
  const seen: FlakyRequest[] = [];
  const sockets = new Set<Socket>();

  const choose = (path: string): FlakyOutcome => {
    if (options.appliesTo !== undefined && !options.appliesTo(path)) return "forwarded";
    let roll = random();
    const table: Array<[FlakyOutcome, number | undefined]> = [
      ["unavailable", shares.unavailable],
      ["reset", shares.reset],
      ["truncated", shares.truncated],
      ["rate_limited", shares.rateLimited],
    ];
    for (const [outcome, share] of table) {
      if (roll < (share ?? 0)) return outcome;
      roll -= share ?? 0;
    }
    return "forwarded";
  };

  const handle = (incoming: IncomingMessage, outgoing: ServerResponse): void => {
    const method = incoming.method ?? "GET";
    const path = incoming.url ?? "/";
    incoming.resume();
    if (dark === "blackhole") {
      seen.push({ method, path, outcome: "blackholed" });
      return;
    }
    const outcome = choose(path);
    seen.push({ method, path, outcome });
    if (outcome === "unavailable") {
      answer(outgoing, 503, { "content-type": "text/plain" }, "flaky proxy: service unavailable\n");
      return;
    }
    if (outcome === "rate_limited") {
      answer(outgoing, 429, { "content-type": "text/plain", "retry-after": retryAfter }, "flaky proxy: slow down\n");
      return;
    }
    fetchUpstream(target, method, path, incoming.headers, maxBodyBytes)
      .then(({ status, headers, body }) => {
        if (outcome === "forwarded" || body.length < 2) {
          answer(outgoing, status, headers, body);
          return;
        }
        // Both faults send the real head and the first half of the body on the raw socket.
        const socket = outgoing.socket;
        if (socket === null) return;
        const head = [`HTTP/1.1 ${status} Flaky`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${body.length}`, "connection: close", "", ""].join("\r\n");
        outgoing.detachSocket(socket);
        socket.write(Buffer.concat([Buffer.from(head, "latin1"), body.subarray(0, Math.floor(body.length / 2))]), () => {
          if (outcome === "reset") socket.resetAndDestroy();
          else socket.end();
        });
      })
      .catch((err: unknown) => answer(outgoing, 502, { "content-type": "text/plain" }, `flaky proxy: upstream failed: ${String(err)}\n`));
  };

  const server = createServer(handle);
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port }, () => {
        server.off("error", reject);
        const address = server.address();
        if (address === null || typeof address === "string") reject(new Error("The flaky proxy has no TCP address"));
        else resolve(address.port);
      });
    });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      if (!server.listening) resolve();
      else server.close(() => resolve());
    });

  const port = await listen(0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => [...seen],
    setShares(next) {
      shares = { ...next };
    },
    async goDark(mode) {
      dark = mode;
      if (mode === "refuse") await close();
      else for (const socket of sockets) socket.destroy();
    },
    async light() {
      const was = dark;
      dark = null;
      if (was === "refuse") await listen(port);
      else for (const socket of sockets) socket.destroy();
    },
    stop: close,
  };
}

function answer(outgoing: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  outgoing.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  outgoing.end(body);
}

/** GETs `path` from the upstream and buffers the whole answer. */
function fetchUpstream(
  target: URL,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  maxBodyBytes: number,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const forwarded = request(
      { host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host, connection: "close" } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBodyBytes) response.destroy(new Error(`the upstream body is larger than ${maxBodyBytes} bytes`));
          else chunks.push(chunk);
        });
        response.once("error", reject);
        response.once("end", () => {
          const kept: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value === undefined || hopByHop.has(name) || name === "content-length") continue;
            kept[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: response.statusCode ?? 502, headers: kept, body: Buffer.concat(chunks) });
        });
      },
    );
    forwarded.setTimeout(30_000, () => forwarded.destroy(new Error("the upstream did not answer within 30 s")));
    forwarded.once("error", reject);
    forwarded.end();
  });
}
