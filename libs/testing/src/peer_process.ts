import { type ChildProcess, spawn } from "node:child_process";
import { waitFor } from "./wait_for.ts";

/** The most output of a peer that is kept for error messages. */
const keptOutputChars = 16_000;

/** Children still running; killed when the test process exits so none outlives it. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A long-running peer process (nginx, nats-server, docker-registry) started by the tests. */
export interface PeerProcess {
  /** The name given at start, for messages. */
  readonly name: string;
  /** The process id. */
  readonly pid: number;
  /** The last part of what the process wrote to stdout and stderr. */
  output(): string;
  /** The exit code or signal once the process has ended, undefined while it runs. */
  exitStatus(): string | undefined;
  /** Asks the process to stop with `signal`, and kills it if it has not ended by the deadline. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<void>;
}

/** Options of {@link startPeerProcess}. */
export interface StartPeerProcessOptions {
  /** A name for error messages: `"nginx"`. */
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Spawns `command` with its output captured, to be stopped with {@link PeerProcess.stop}. */
export function startPeerProcess(
  command: string,
  args: readonly string[],
  options: StartPeerProcessOptions,
): PeerProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let status: string | undefined;
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-keptOutputChars);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once("error", (err) => {
      status = `error: ${err.message}`;
      running.delete(child);
      resolve();
    });
    child.once("exit", (code, signal) => {
      status = signal === null ? `exit code ${code ?? "?"}` : `signal ${signal}`;
      running.delete(child);
      resolve();
    });
  });
  return {
    name: options.name,
    pid: child.pid ?? -1,
    output: () => output,
    exitStatus: () => status,
    async stop({ signal = "SIGTERM", timeoutMs = 10_000 } = {}): Promise<void> {
      if (status !== undefined) return;
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      });
      const late = await Promise.race([exited.then(() => false), timedOut]);
      clearTimeout(timer);
      if (late) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** Describes why a peer did not come up: its name, exit status (if it ended) and last output. */
export function describePeerFailure(peer: PeerProcess): string {
  const status = peer.exitStatus();
  const ended = status === undefined ? "still running" : `ended with ${status}`;
  const output = peer.output().trim();
  return `${peer.name} ${ended}${output === "" ? ", no output" : `; output:\n${output}`}`;
}

/**
 * Polls `ready` until the peer answers; fails at once when the peer ends first, and stops it
 * when the deadline passes. Both errors carry the peer's last output.
 */
export async function waitForPeerReady(
  peer: PeerProcess,
  ready: () => Promise<boolean>,
  options: { what: string; timeoutMs?: number },
): Promise<void> {
  let outcome: "ready" | "ended";
  try {
    outcome = await waitFor(
      async () => (peer.exitStatus() !== undefined ? "ended" : (await ready()) ? "ready" : undefined),
      { what: options.what, timeoutMs: options.timeoutMs ?? 15_000 },
    );
  } catch (err) {
    await peer.stop({ signal: "SIGKILL" });
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}; ${describePeerFailure(peer)}`, { cause: err });
  }
  if (outcome === "ended") {
    throw new Error(`Gave up waiting for ${options.what}: ${describePeerFailure(peer)}`);
  }
}
