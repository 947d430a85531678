import { cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { makeChart, makeTempDir, runHelm, type MakeChartOptions } from "@charthouse/testing";

/** A folder of charts packaged by the real helm CLI, with an index made by `helm repo index`. */
export interface ChartRepositoryFolder {
  root: string;
  /** Packages one more chart version into the folder and indexes it again (`--merge`, as a CI would). */
  add(chart: MakeChartOptions): Promise<string>;
  /** Indexes the folder again. */
  reindex(): Promise<void>;
}

/** Makes a chart repository folder holding the given charts. */
export async function makeChartRepository(charts: readonly MakeChartOptions[]): Promise<ChartRepositoryFolder> {
  const root = await makeTempDir("charthouse-repo-");
  const work = await makeTempDir("charthouse-charts-");
  const reindex = async (): Promise<void> => {
    await runHelm(["repo", "index", root]);
  };
  const add = async (chart: MakeChartOptions): Promise<string> => {
    const dir = join(work, `${chart.name}-${chart.version}`);
    await mkdir(dir, { recursive: true });
    const archive = await makeChart(dir, chart);
    const target = join(root, archive.split("/").pop()!);
    await cp(archive, target);
    return target;
  };
  for (const chart of charts) await add(chart);
  await reindex();
  return { root, add: async (c) => { const p = await add(c); await reindex(); return p; }, reindex };
}
