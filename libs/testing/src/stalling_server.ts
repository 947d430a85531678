import { type Socket, createServer } from "node:net";

/** What a {@link startStallingServer} does after accepting a connection. */
export type StallMode =
  /** Reads the request and never answers. */
  | "silent"
  /** Sends a 200 status line and headers promising 1 MiB, a few bytes of body, then stalls. */
  | "headers";

/** A TCP server in the test process that accepts connections and then stalls them. */
export interface StallingServer {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** How many connections it has accepted so far. */
  connections(): number;
  /** Closes the server and destroys every connection. */
  stop(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that never completes a response: the peer for timeout tests. */
export function startStallingServer(options: { mode?: StallMode } = {}): Promise<StallingServer> {
  const mode = options.mode ?? "silent";
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => sockets.delete(socket));
    if (mode === "headers") {
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1048576\r\n\r\nstall");
      });
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        reject(new Error("The stalling server has no TCP address"));
        return;
      }
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        port: address.port,
        connections: () => accepted,
        stop: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
