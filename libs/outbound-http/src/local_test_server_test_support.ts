import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP server on 127.0.0.1 for tests, recording what it received. */
export interface LocalTestServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** Headers of every request received, in order. */
  received: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1, port 0, answering with `handler` (tests only). */
export async function startLocalTestServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LocalTestServer> {
  const received: LocalTestServer["received"] = [];
  const server = createServer((req, res) => {
    received.push({ path: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For a test file: a `serve(handler)` that starts local servers, all closed after each test, and
 * the registry connection pools closed after the file.
 */
export function useLocalTestServers(
  hooks: { afterEach: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void },
  closeAgents: () => Promise<void>,
): (handler: Parameters<typeof startLocalTestServer>[0]) => Promise<LocalTestServer> {
  const servers: LocalTestServer[] = [];
  hooks.afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  hooks.afterAll(closeAgents);
  return async (handler) => {
    const server = await startLocalTestServer(handler);
    servers.push(server);
    return server;
  };
}
