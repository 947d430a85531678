import { createServer } from "node:net";

// Ports this process handed out already. The OS may give the same ephemeral port to two probes
// in a row once the first probe closed it, and a stack whose two services are told the same
// port loses one of them (EADDRINUSE, restarted into the same collision).
const handedOut = new Set<number>();

/** Finds a TCP port on 127.0.0.1 that is free now and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error("Cannot find a free port: 100 probes returned ports already handed out");
}

/** Binds port 0 and closes again: a port free at this moment. */
function probePort(): Promise<number> {
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
