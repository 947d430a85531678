import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serviceBundle } from "./build_services.ts";
import type { RestartPolicy } from "./restart_backoff.ts";
import { heapFlags, services, type ServiceName } from "./services.ts";
import { superviseProcess, type SupervisedProcess, type SupervisorEvent } from "./supervised_process.ts";

/** The root of the workspace (libs/stack/src -> ../../..). */
export const workspaceRoot: string = fileURLToPath(new URL("../../../", import.meta.url));

/** One service copy, kept running by its supervisor. */
export interface ServiceProcess {
  service: ServiceName;
  copy: number;
  port: number;
  /** The process running now (after a restart, the new one). */
  readonly child: ChildProcess;
  /** How many times this copy was started, the first included. */
  readonly starts: number;
}

/** What the stack reports about one service copy's process. */
export type StackEvent = SupervisorEvent & { service: ServiceName; copy: number };

/** Options of a stack. */
export interface StackOptions {
  /** Environment shared by every service (DATABASE_URL, NATS_URL, CHARTHOUSE_*). */
  env: Record<string, string | undefined>;
  /** How many copies of each service to run. Default 1. */
  copies?: number;
  /** How many copies of particular services to run, overriding `copies` for them (scale-out benches). */
  copiesOf?: Partial<Record<ServiceName, number>>;
  /** Port of each service's first copy; 0 lets each pick a free one. Default: the service's own. */
  port?: (service: ServiceName, copy: number) => number;
  /** Where each process's output goes. Default: inherited stdout/stderr. */
  output?: (service: ServiceName, copy: number, chunk: Buffer) => void;
  /** Only these services (default all). */
  only?: readonly ServiceName[];
  /** Extra node options for every service process (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  nodeArgs?: readonly string[];
  /**
   * Restart a service process that exits on its own, with this exponential backoff (see
   * defaultRestartPolicy). Default false: a process that exits stays down.
   */
  restart?: Readonly<RestartPolicy> | false;
  /** Called when a process exits or starts; by default restarts are printed to stderr, one line each. */
  onEvent?: (event: StackEvent) => void;
}

/** A running stack. */
export interface Stack {
  processes: ServiceProcess[];
  /** Stops every process (SIGTERM, then SIGKILL after the grace period); none is restarted. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Sends `signal` (default SIGKILL) to every copy of one service and resolves once they exited.
   * With a restart policy the supervisor brings them back after its backoff (fault tests).
   */
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every copy of one service and starts it again at once, with the same command line and environment. */
  restart(service: ServiceName, options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

/** Starts every service as its own process, `copies` times each, from its bundle (see buildServices). */
export function startStack(options: StackOptions): Stack {
  const onEvent = options.onEvent ?? printRestart;
  const supervised: Array<{ process: ServiceProcess; supervisor: SupervisedProcess }> = [];
  for (const service of services) {
    if (options.only && !options.only.includes(service.name)) continue;
    const copies = options.copiesOf?.[service.name] ?? options.copies ?? 1;
    for (let copy = 0; copy < copies; copy++) {
      const port = options.port?.(service.name, copy) ?? (copy === 0 ? service.defaultPort : 0);
      const env = { ...process.env, ...options.env, PORT: String(port) };
      const supervisor = superviseProcess({
        name: copies === 1 ? service.name : `${service.name}#${copy}`,
        restart: options.restart ?? false,
        onEvent: (event) => onEvent({ ...event, service: service.name, copy }),
        spawn: () => {
          const nodeFlags = ["--enable-source-maps", ...heapFlags, ...service.nodeFlags, ...(options.nodeArgs ?? [])];
          const child = spawn(process.execPath, [...nodeFlags, serviceBundle(workspaceRoot, service.name)], {
            cwd: workspaceRoot,
            env,
            stdio: options.output ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"],
          });
          if (options.output) {
            const output = options.output;
            child.stdout?.on("data", (chunk: Buffer) => output(service.name, copy, chunk));
            child.stderr?.on("data", (chunk: Buffer) => output(service.name, copy, chunk));
          }
          return child;
        },
      });
      const entry: ServiceProcess = {
        service: service.name,
        copy,
        port,
        get child() {
          return supervisor.child;
        },
        get starts() {
          return supervisor.starts;
        },
      };
      supervised.push({ process: entry, supervisor });
    }
  }
  const of = (service: ServiceName): SupervisedProcess[] =>
    supervised.filter((s) => s.process.service === service).map((s) => s.supervisor);

  return {
    processes: supervised.map((s) => s.process),
    async stop(graceMs = 10_000) {
      await Promise.all(supervised.map((s) => s.supervisor.stop(graceMs)));
    },
    async kill(service, signal = "SIGKILL") {
      await Promise.all(of(service).map((s) => s.kill(signal)));
    },
    async restart(service, restartOptions) {
      await Promise.all(of(service).map((s) => s.restart(restartOptions)));
    },
  };
}

/** The default event handler: one line on stderr per restart, saying why. */
function printRestart(event: StackEvent): void {
  const line = describeStackEvent(event);
  if (line !== null) process.stderr.write(`${line}\n`);
}

/** The line `npm start` prints for an event, or null for one it keeps quiet about (first starts, planned stops). */
export function describeStackEvent(event: SupervisorEvent): string | null {
  if (event.kind === "started") return event.reason === "explicit" ? `${event.name} restarted (pid ${event.pid ?? "?"})` : null;
  if (event.restartInMs === null) return null;
  const how = event.signal !== null ? `signal ${event.signal}` : `exit code ${event.code ?? "?"}`;
  return `${event.name} exited (${how}) after ${seconds(event.ranMs)}; restarting it in ${seconds(event.restartInMs)}`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
