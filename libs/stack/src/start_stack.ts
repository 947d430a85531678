import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { serviceBundle } from "./build_services.ts";
import { services, type ServiceName } from "./services.ts";

/** The root of the workspace (libs/stack/src -> ../../..). */
export const workspaceRoot: string = fileURLToPath(new URL("../../../", import.meta.url));

/** One running service process. */
export interface ServiceProcess {
  service: ServiceName;
  copy: number;
  port: number;
  child: ChildProcess;
}

/** Options of a stack. */
export interface StackOptions {
  /** Environment shared by every service (DATABASE_URL, NATS_URL, CHARTHOUSE_*). */
  env: Record<string, string | undefined>;
  /** How many copies of each service to run. Default 1. */
  copies?: number;
  /** Port of each service's first copy; 0 lets each pick a free one. Default: the service's own. */
  port?: (service: ServiceName, copy: number) => number;
  /** Where each process's output goes. Default: inherited stdout/stderr. */
  output?: (service: ServiceName, copy: number, chunk: Buffer) => void;
  /** Only these services (default all). */
  only?: readonly ServiceName[];
}

/** A running stack. */
export interface Stack {
  processes: ServiceProcess[];
  /** Stops every process (SIGTERM, then SIGKILL after the grace period). */
  stop(graceMs?: number): Promise<void>;
  /** Stops and restarts the processes of one service (fault tests). */
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
}

/** Starts every service as its own process, `copies` times each, from its bundle (see buildServices). */
export function startStack(options: StackOptions): Stack {
  const copies = options.copies ?? 1;
  const processes: ServiceProcess[] = [];
  for (const service of services) {
    if (options.only && !options.only.includes(service.name)) continue;
    for (let copy = 0; copy < copies; copy++) {
      const port = options.port?.(service.name, copy) ?? (copy === 0 ? service.defaultPort : 0);
      const child = spawn(process.execPath, ["--enable-source-maps", serviceBundle(workspaceRoot, service.name)], {
        cwd: workspaceRoot,
        env: { ...process.env, ...options.env, PORT: String(port) },
        stdio: options.output ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
      });
      if (options.output) {
        const output = options.output;
        child.stdout?.on("data", (chunk: Buffer) => output(service.name, copy, chunk));
        child.stderr?.on("data", (chunk: Buffer) => output(service.name, copy, chunk));
      }
      processes.push({ service: service.name, copy, port, child });
    }
  }

  const stopProcess = async (p: ServiceProcess, graceMs: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return;
    const exited = once(p.child, "exit");
    p.child.kill(signal);
    const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return {
    processes,
    async stop(graceMs = 10_000) {
      await Promise.all(processes.map((p) => stopProcess(p, graceMs)));
    },
    async kill(service, signal = "SIGKILL") {
      await Promise.all(processes.filter((p) => p.service === service).map((p) => stopProcess(p, 1_000, signal)));
    },
  };
}
