import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** An HTTP(S) server on 127.0.0.1 for a fake provider. */
export interface LocalHttp {
  /** `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** A request handler; a thrown error or rejection answers 500 with its message. */
export type LocalHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/**
 * Starts a server on 127.0.0.1 (a free port) whose handler gets each request with its whole body
 * (at most 1 MiB). With `tls` it serves HTTPS with that key and certificate.
 */
export async function startLocalHttp(handler: LocalHandler, options: { tls?: { key: string; cert: string } } = {}): Promise<LocalHttp> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      Promise.resolve()
        .then(() => handler(req, res, Buffer.concat(chunks)))
        .catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
          res.end(err instanceof Error ? err.message : String(err));
        });
    });
  };
  const server: Server = options.tls === undefined ? createServer(listener) : createHttpsServer(options.tls, listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    port,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
