import type { ChildProcess } from "node:child_process";
import { RestartBackoff, type RestartPolicy } from "./restart_backoff.ts";

/** What a {@link SupervisedProcess} reports: an exit (and whether it restarts it), or a new start. */
export type SupervisorEvent =
  | {
      kind: "exited";
      name: string;
      code: number | null;
      signal: NodeJS.Signals | null;
      /** How long the process ran. */
      ranMs: number;
      /** The wait before it is started again; null when it is not (stopping, an explicit restart, or no supervision). */
      restartInMs: number | null;
    }
  | { kind: "started"; name: string; pid: number | undefined; reason: "first" | "crash" | "explicit" };

/** Options of {@link superviseProcess}. */
export interface SupervisedProcessOptions {
  /** A name for events: `"chart-downloader#0"`. */
  name: string;
  /** Starts the process; called again, unchanged, for every restart (same command line and environment). */
  spawn: () => ChildProcess;
  /** Restart a process that exits on its own with this backoff; false leaves it down. */
  restart: Readonly<RestartPolicy> | false;
  onEvent?: (event: SupervisorEvent) => void;
}

/** One process kept running by a supervisor. */
export interface SupervisedProcess {
  /** The process running now (or the last one, while it is down). */
  readonly child: ChildProcess;
  /** How many times a process was started, the first included. */
  readonly starts: number;
  /** Sends `signal` (default SIGKILL) to the current process and resolves once it exited; a supervised one comes back after its backoff. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the current process (`signal`, SIGKILL after `graceMs`) and starts it again at once. */
  restart(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
  /** Stops the process for good (SIGTERM, SIGKILL after `graceMs`); no restart follows. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a process and, with a restart policy, starts it again with exponential backoff whenever it exits on its own. */
export function superviseProcess(options: SupervisedProcessOptions): SupervisedProcess {
  const backoff = options.restart === false ? null : new RestartBackoff(options.restart);
  const planned = new WeakSet<ChildProcess>();
  let stopped = false;
  let pending: NodeJS.Timeout | undefined;
  let starts = 0;
  let startedAt = 0;
  let child: ChildProcess;

  const emit = (event: SupervisorEvent): void => options.onEvent?.(event);

  const start = (reason: "first" | "crash" | "explicit"): void => {
    const current = options.spawn();
    child = current;
    starts += 1;
    startedAt = Date.now();
    current.once("exit", (code, signal) => onExit(current, code, signal));
    current.once("error", () => {
      // A process that could not be spawned has no pid and may never emit "exit".
      if (current.pid === undefined) onExit(current, null, null);
    });
    emit({ kind: "started", name: options.name, pid: current.pid, reason });
  };

  const onExit = (exited: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited !== child) return;
    const ranMs = Date.now() - startedAt;
    if (stopped || planned.has(exited) || backoff === null) {
      emit({ kind: "exited", name: options.name, code, signal, ranMs, restartInMs: null });
      return;
    }
    const restartInMs = backoff.next(ranMs);
    emit({ kind: "exited", name: options.name, code, signal, ranMs, restartInMs });
    pending = setTimeout(() => {
      pending = undefined;
      if (!stopped) start("crash");
    }, restartInMs);
  };

  const end = async (target: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (hasExited(target)) return;
    const exited = exitOf(target);
    target.kill(signal);
    const timer = setTimeout(() => target.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  start("first");
  return {
    get child() {
      return child;
    },
    get starts() {
      return starts;
    },
    async kill(signal = "SIGKILL") {
      const target = child;
      if (hasExited(target)) return;
      const exited = exitOf(target);
      target.kill(signal);
      await exited;
    },
    async restart({ signal = "SIGTERM", graceMs = 10_000 } = {}) {
      if (stopped) throw new Error(`Cannot restart ${options.name}: it was stopped`);
      clearTimeout(pending);
      pending = undefined;
      planned.add(child);
      await end(child, signal, graceMs);
      backoff?.reset();
      if (!stopped) start("explicit");
    },
    async stop(graceMs = 10_000) {
      stopped = true;
      clearTimeout(pending);
      pending = undefined;
      await end(child, "SIGTERM", graceMs);
    },
  };
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (hasExited(child)) resolve();
    else child.once("exit", () => resolve());
  });
}
