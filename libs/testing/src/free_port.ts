import { createServer } from "node:net";

/** Finds a TCP port on 127.0.0.1 that is free now, by binding port 0 and closing again. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("Cannot find a free port: the probe socket has no TCP address"));
        return;
      }
      server.close((err) => (err === undefined ? resolve(address.port) : reject(err)));
    });
  });
}
