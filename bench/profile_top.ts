/**
 * Where a process spent its CPU: reads the `.cpuprofile` files that `node --cpu-prof` wrote and
 * prints, for each, the functions with the most self time. Run a bench with
 * `CHARTHOUSE_BENCH_CPU_PROF=DIR` to have every service write one into DIR, then
 * `node --import tsx bench/profile_top.ts DIR [count]`.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Self time in ms of each function (by name and place), heaviest first; idle and GC kept apart by V8's own names. */
export function selfTimes(profile: CpuProfile): Array<{ name: string; ms: number }> {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byNode.get(id)!.callFrame;
    const place = frame.url ? `${relative(process.cwd(), frame.url.replace(/^file:\/\//, ""))}:${frame.lineNumber + 1}` : "";
    const name = `${frame.functionName || "(anonymous)"} ${place}`.trim();
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

const [dir, count = "12"] = process.argv.slice(2);
if (dir) {
  for (const file of (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile")).sort()) {
    const times = selfTimes(JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile);
    const busy = times.filter((t) => t.name !== "(idle)").reduce((sum, t) => sum + t.ms, 0);
    process.stdout.write(`\n${file}: ${(busy / 1000).toFixed(1)} s busy\n`);
    for (const t of times.filter((t) => t.name !== "(idle)").slice(0, Number(count))) {
      process.stdout.write(`  ${t.ms.toFixed(0).padStart(7)} ms  ${((100 * t.ms) / busy).toFixed(1).padStart(5)} %  ${t.name}\n`);
    }
  }
}
