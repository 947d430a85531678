import { connect } from "node:net";
import { freePort } from "./free_port.ts";
import { startPeerProcess, waitForPeerReady } from "./peer_process.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** Options of {@link startNatsServer}. */
export interface StartNatsServerOptions {
  /** Port on 127.0.0.1 (default: a free one). Pass a stopped server's port to restart it. */
  port?: number;
  /** JetStream store folder (default: a new temporary one, removed on stop). Pass one to keep streams across a restart. */
  storeDir?: string;
}

/** A private nats-server with JetStream, for tests that stop or restart NATS. */
export interface NatsServer {
  /** `nats://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The JetStream store folder. */
  storeDir: string;
  /** Stops the server; removes the store folder unless the caller passed one. */
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with its store in a temporary folder; resolves once it greets clients. */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await makeTempDir("nats"));
  const peer = startPeerProcess("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
    name: "nats-server",
  });
  try {
    await waitForPeerReady(peer, () => natsGreets(port), { what: `nats-server to greet clients on port ${port}` });
  } catch (err) {
    if (ownStore) await removeTempDir(storeDir);
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async stop(): Promise<void> {
      await peer.stop({ signal: "SIGTERM" });
      if (ownStore) await removeTempDir(storeDir);
    },
  };
}

/** Resolves true when a NATS server on the port sends its `INFO` greeting. */
function natsGreets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("data", (chunk: Buffer) => done(chunk.toString("latin1").startsWith("INFO ")));
    socket.once("error", () => done(false));
  });
}
