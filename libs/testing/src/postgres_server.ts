import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chown, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort } from "./free_port.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";
import { waitFor } from "./wait_for.ts";

const run = promisify(execFile);

/** How {@link PostgresServer.shutdown} ends the server: PostgreSQL's shutdown modes. */
export type PostgresShutdownMode =
  /** SIGINT: ends every session ("terminating connection due to administrator command") and stops cleanly. */
  | "fast"
  /** SIGQUIT: quits at once without a checkpoint, as after a crash; recovery runs at the next start. */
  | "immediate";

/** Options of {@link startPostgresServer}. */
export interface StartPostgresServerOptions {
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
}

/** A private PostgreSQL server in a temporary folder, for tests that stop or restart the database. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication). */
  url: string;
  port: number;
  /** The data folder made by initdb. */
  dataDir: string;
  /** Ends the server (default "fast") and keeps its data, so {@link PostgresServer.start} can bring it back. */
  shutdown(options?: { mode?: PostgresShutdownMode }): Promise<void>;
  /** Starts the server again on the same port and data after {@link PostgresServer.shutdown}; resolves once it answers queries. */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The most server output kept for error messages. */
const keptOutputChars = 8_000;

/** Servers still running; killed when the test process exits so none outlives it. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Makes a cluster with Debian's `initdb` (trust authentication, user postgres) in a temporary
 * folder and runs its `postgres` on 127.0.0.1 as a child of the test process, as the postgres
 * user when the tests run as root. Never touches the machine's shared server.
 */
export async function startPostgresServer(options: StartPostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = await postgresBinaries();
  const port = options.port ?? (await freePort());
  const folder = await makeTempDir("postgres");
  const dataDir = join(folder, "data");
  const owner = await ownerIds();
  try {
    if (owner !== undefined) await chown(folder, owner.uid, owner.gid);
    await run(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], {
      cwd: folder,
      ...(owner ?? {}),
    }).catch((err: unknown) => {
      const stderr = (err as { stderr?: string }).stderr ?? "";
      throw new Error(`Cannot initdb a private PostgreSQL in ${dataDir}: ${stderr.trim() || String(err)}`, { cause: err });
    });
  } catch (err) {
    await removeTempDir(folder);
    throw err;
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let output = "";

  const launch = async (): Promise<void> => {
    output = "";
    const started = spawn(
      join(bin, "postgres"),
      [
        "-D", dataDir, "-p", String(port), "-k", folder,
        "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=64MB",
      ],
      { cwd: folder, stdio: ["ignore", "pipe", "pipe"], ...(owner ?? {}) },
    );
    child = started;
    running.add(started);
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-keptOutputChars);
    };
    started.stdout?.on("data", keep);
    started.stderr?.on("data", keep);
    started.once("exit", () => running.delete(started));
    started.once("error", () => running.delete(started));
    try {
      await waitFor(
        async () => {
          if (started.exitCode !== null || started.signalCode !== null) throw new Error("ended");
          return await answers(url);
        },
        { what: `the private PostgreSQL on port ${port} to answer`, timeoutMs: 30_000, intervalMs: 100 },
      );
    } catch (err) {
      await end(started, "SIGKILL");
      throw new Error(`The private PostgreSQL on port ${port} did not start; output:\n${output.trim()}`, { cause: err });
    }
  };

  try {
    await launch();
  } catch (err) {
    await removeTempDir(folder);
    throw err;
  }
  return {
    url,
    port,
    dataDir,
    async shutdown({ mode = "fast" } = {}): Promise<void> {
      if (child !== undefined) await end(child, mode === "fast" ? "SIGINT" : "SIGQUIT");
    },
    async start(): Promise<void> {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        throw new Error(`The private PostgreSQL on port ${port} is still running`);
      }
      await launch();
    },
    async stop(): Promise<void> {
      if (child !== undefined) await end(child, "SIGINT");
      await removeTempDir(folder);
    },
  };
}

/** Sends `signal` and waits for the exit; SIGKILL after 20 s. */
async function end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Whether a server at `url` answers a query now. */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Debian's newest /usr/lib/postgresql/<version>/bin. */
async function postgresBinaries(): Promise<string> {
  const versions = (await readdir("/usr/lib/postgresql").catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  if (newest === undefined) throw new Error("Cannot start a private PostgreSQL: no /usr/lib/postgresql/<version>/bin (apt-get install -y postgresql)");
  return join("/usr/lib/postgresql", newest, "bin");
}

/** The postgres user's ids when the tests run as root (PostgreSQL refuses to run as root), else undefined. */
async function ownerIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
