import { readdir, rename } from "node:fs/promises";
import { join } from "node:path";

/**
 * CPU profiles of a stack's services for a bench: with CHARTHOUSE_BENCH_CPU_PROF=DIR every
 * service process runs under `node --cpu-prof` and writes its profile into DIR when it exits;
 * `bench/profile_top.ts DIR` then shows where the time went.
 */
const profileDir = process.env.CHARTHOUSE_BENCH_CPU_PROF;

/** The node options that make service processes write CPU profiles, when asked for. */
export function cpuProfileArgs(): string[] {
  return profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
}

/** Renames the profiles of stopped processes after their service (Node names them by pid only). */
export async function nameCpuProfiles(processes: ReadonlyArray<{ service: string; copy: number; child: { pid?: number | undefined } }>): Promise<void> {
  if (!profileDir) return;
  const files = await readdir(profileDir).catch(() => [] as string[]);
  for (const p of processes) {
    const file = files.find((f) => f.endsWith(".cpuprofile") && f.split(".").includes(String(p.child.pid)));
    if (file) await rename(join(profileDir, file), join(profileDir, `${p.service}-${p.copy}.${p.child.pid}.cpuprofile`));
  }
}
