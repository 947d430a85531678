import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";

/** One request that went through a {@link RecordingProxy}. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  status: number;
  /** Whether the request carried an Authorization header (its value is never kept). */
  authorized: boolean;
}

/** An answer a test puts in place of the upstream's, e.g. a 429 with rate-limit headers. */
export interface InterceptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Options of {@link startRecordingProxy}. */
export interface RecordingProxyOptions {
  /** Called for each request before it is forwarded: an answer here is sent instead. */
  intercept?: (request: { method: string; path: string }) => InterceptedAnswer | undefined;
}

/** An HTTP reverse proxy in the test process that records every request it forwards. */
export interface RecordingProxy {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** `127.0.0.1:PORT`, as in `oci://127.0.0.1:PORT/ns`. */
  host: string;
  /** The requests so far, oldest first. */
  requests(): ProxiedRequest[];
  /** Forgets the requests recorded so far. */
  clear(): void;
  stop(): Promise<void>;
}

/**
 * Starts a reverse proxy on 127.0.0.1 in front of `upstream` (an `http://` origin): the peer
 * that shows exactly which requests a client made (e.g. "an unchanged sync costs one tag-list
 * request") and that can answer some of them itself (rate limits). Location headers pointing at
 * the upstream are rewritten to the proxy so redirects stay visible.
 */
export function startRecordingProxy(upstream: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const target = new URL(upstream);
  let recorded: ProxiedRequest[] = [];
  let self = "";
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const method = incoming.method ?? "GET";
    const path = incoming.url ?? "/";
    const authorized = incoming.headers.authorization !== undefined;
    const answer = options.intercept?.({ method, path });
    if (answer !== undefined) {
      recorded.push({ method, path, status: answer.status, authorized });
      outgoing.writeHead(answer.status, answer.headers ?? {});
      outgoing.end(answer.body ?? "");
      incoming.resume();
      return;
    }
    const forwarded = request(
      { host: target.hostname, port: target.port, method, path, headers: { ...incoming.headers, host: target.host } },
      (response) => {
        const status = response.statusCode ?? 502;
        recorded.push({ method, path, status, authorized });
        const headers = { ...response.headers };
        if (typeof headers.location === "string") headers.location = headers.location.replace(target.origin, self);
        outgoing.writeHead(status, headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on("error", (err) => {
      recorded.push({ method, path, status: 502, authorized });
      outgoing.writeHead(502).end(String(err));
    });
    incoming.pipe(forwarded);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("The recording proxy has no TCP address"));
        return;
      }
      self = `http://127.0.0.1:${address.port}`;
      resolve({
        url: self,
        host: `127.0.0.1:${address.port}`,
        requests: () => [...recorded],
        clear: () => {
          recorded = [];
        },
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
