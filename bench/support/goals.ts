/**
 * Each bench records the figures its goals are judged on; `npm run bench` then prints them all in
 * one table (bench/summary.ts). A bench still prints its own detailed table as it runs.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Where one `npm run bench` keeps its benches' goal rows, read back by bench/summary.ts. */
export const goalsDir = new URL("../../.cache/bench/goals/", import.meta.url).pathname;

export interface GoalRow {
  /** The goal this figure belongs to, e.g. "1 cold big index". */
  goal: string;
  /** What was measured, with its unit. */
  figure: string;
  charthouse: number;
  /** The peer measured in the same run, when the goal is a ratio to one. */
  peer?: { name: string; value: number };
  /** The goal in words, e.g. "< 1x helm" or "p99 < 50 ms". */
  target: string;
  /** Whether the goal holds; null for a figure that is reported but not judged. */
  holds: boolean | null;
}

/** Writes one bench's rows, replacing what an earlier run of the same bench left. */
export async function recordGoals(bench: string, rows: GoalRow[]): Promise<void> {
  await mkdir(goalsDir, { recursive: true });
  await writeFile(join(goalsDir, `${bench}.json`), `${JSON.stringify(rows, null, 2)}\n`);
}

/** Every recorded row, bench by bench in name order. */
export async function readGoals(): Promise<Array<GoalRow & { bench: string }>> {
  const files = (await readdir(goalsDir).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).sort();
  const all: Array<GoalRow & { bench: string }> = [];
  for (const file of files) {
    const rows = JSON.parse(await readFile(join(goalsDir, file), "utf8")) as GoalRow[];
    for (const row of rows) all.push({ ...row, bench: file.replace(/\.json$/, "") });
  }
  return all;
}

/** A figure with as many decimals as its size deserves. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  return value.toFixed(size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3);
}
