import { connect } from "node:net";
import { freePort } from "./free_port.ts";
import { type PeerProcess, startPeerProcess, waitForPeerReady } from "./peer_process.ts";
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
  /**
   * Ends the server process with `signal` (default SIGKILL, a crash) and keeps its store folder,
   * so {@link NatsServer.start} can bring it back: fault tests.
   */
  shutdown(options?: { signal?: NodeJS.Signals }): Promise<void>;
  /** Starts the server again on the same port and store folder after {@link NatsServer.shutdown}; resolves once it greets clients. */
  start(): Promise<void>;
  /** Stops the server; removes the store folder unless the caller passed one. */
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with its store in a temporary folder; resolves once it greets clients. */
export async function startNatsServer(options: StartNatsServerOptions = {}): Promise<NatsServer> {
  const port = options.port ?? (await freePort());
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await makeTempDir("nats"));
  const launch = async (): Promise<PeerProcess> => {
    const started = startPeerProcess("nats-server", ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", storeDir], {
      name: "nats-server",
    });
    await waitForPeerReady(started, () => natsGreets(port), { what: `nats-server to greet clients on port ${port}` });
    return started;
  };
  let peer: PeerProcess;
  try {
    peer = await launch();
  } catch (err) {
    if (ownStore) await removeTempDir(storeDir);
    throw err;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    async shutdown({ signal = "SIGKILL" } = {}): Promise<void> {
      await peer.stop({ signal });
    },
    async start(): Promise<void> {
      if (peer.exitStatus() === undefined) throw new Error(`nats-server on port ${port} is still running`);
      peer = await launch();
    },
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
