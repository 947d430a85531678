/** What benches read of a process and of a list of timings. */
import { readdir, readFile } from "node:fs/promises";

/** CPU seconds a process used so far, user and system (from /proc, in clock ticks of 10 ms); 0 once it is gone. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return 0;
  // Fields 14 and 15 of stat(5), counted from the state field (3); the command may hold ") ".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The processes whose command line matches, by pid. */
export async function pidsMatching(matches: (argv: string[]) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline !== "" && matches(cmdline.split("\0"))) pids.push(Number(entry));
  }
  return pids;
}

/** The CPU seconds of a named group of processes over a window. */
export interface ProcessCpu {
  /** What the figure is of, e.g. "index-fetcher", "nats-server", "postgres (this database)". */
  name: string;
  seconds: number;
}

/**
 * CPU seconds so far of every process of each named group, by pid. A window counts a process alive
 * at both ends by its difference, and one that appeared since the start (a new Postgres backend) by
 * all it used; one that ended within the window is lost.
 */
export type CpuSample = Map<string, Map<number, number>>;

export async function sampleCpu(groups: ReadonlyMap<string, readonly number[]>): Promise<CpuSample> {
  const sample: CpuSample = new Map();
  for (const [name, pids] of groups) {
    const byPid = new Map<number, number>();
    for (const pid of pids) byPid.set(pid, await cpuSeconds(pid));
    sample.set(name, byPid);
  }
  return sample;
}

export function cpuBetween(before: CpuSample, after: CpuSample): ProcessCpu[] {
  return [...after].map(([name, byPid]) => {
    let seconds = 0;
    for (const [pid, end] of byPid) {
      const start = before.get(name)?.get(pid) ?? 0;
      if (end >= start) seconds += end - start;
    }
    return { name, seconds };
  });
}

/** Peak resident memory of a process so far, in MB (VmHWM). */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The machine's load averages over 1, 5 and 15 minutes, as /proc/loadavg gives them. */
export async function loadAverage(): Promise<string> {
  return (await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ");
}

/** The middle value (the upper one of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The p-th percentile of values already sorted ascending (nearest rank); NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
