import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chartYaml, craftTgz, sha256Hex } from "./crafted_archives.ts";

/** One version a {@link FaultRepository} publishes. */
export interface PublishedVersion {
  chart: string;
  version: string;
  /** The archive's file name next to index.yaml. */
  file: string;
  /** Whether the index publishes a digest that is not the archive's: Charthouse must fail it with digest_mismatch. */
  lies: boolean;
  /** The wave it was published in. */
  wave: number;
}

/** A chart repository folder of small generated charts, published in waves with an index.yaml written by hand. */
export interface FaultRepository {
  /** The folder (served by nginx under `/<name>/`). */
  folder: string;
  /** Every version published so far, oldest first. */
  versions(): readonly PublishedVersion[];
  /**
   * Writes `count` new versions spread over the repository's charts, and then the index that
   * lists them with every earlier one (replaced atomically, as a CI would). `lying` of them get a
   * wrong published digest.
   */
  publishWave(count: number, options?: { lying?: number }): Promise<PublishedVersion[]>;
}

/** Makes `root/<name>` with no versions yet; charts are named `<name>-NN`, `charts` of them. */
export async function makeFaultRepository(root: string, name: string, options: { charts?: number } = {}): Promise<FaultRepository> {
  const folder = join(root, name);
  await mkdir(folder, { recursive: true });
  const charts = options.charts ?? 40;
  const published: PublishedVersion[] = [];
  const indexLines: string[] = [];
  let wave = 0;
  return {
    folder,
    versions: () => published,
    async publishWave(count, { lying = 0 } = {}) {
      wave += 1;
      const added: PublishedVersion[] = [];
      for (let i = 0; i < count; i++) {
        const chart = `${name}-${String(i % charts).padStart(2, "0")}`;
        const version = `${wave}.${Math.floor(i / charts)}.0`;
        const archive = await craftTgz([
          { name: `${chart}/Chart.yaml`, content: chartYaml(chart, version, `appVersion: "${wave}.${i}"\n`) },
          { name: `${chart}/values.yaml`, content: `replicas: ${i % 3}\nwave: ${wave}\nimage: example/${chart}:${version}\n` },
          { name: `${chart}/README.md`, content: `# ${chart}\n\nVersion ${version} of wave ${wave}.\n` },
          { name: `${chart}/templates/configmap.yaml`, content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n" },
        ]);
        const file = `${chart}-${version}.tgz`;
        await writeFile(join(folder, file), archive);
        const lies = i < lying;
        const digest = lies ? sha256Hex(`${file} is not this`) : sha256Hex(archive);
        indexLines.push(
          `  - apiVersion: v2\n    name: ${chart}\n    version: ${version}\n    description: A fault test chart\n` +
            `    digest: ${digest}\n    created: "${new Date().toISOString()}"\n    urls:\n    - ${file}\n`,
        );
        const entry = { chart, version, file, lies, wave };
        published.push(entry);
        added.push(entry);
      }
      await writeIndex(folder, published, indexLines);
      return added;
    },
  };
}

/** Writes index.yaml (entries grouped by chart) to a temporary name and renames it into place. */
async function writeIndex(folder: string, published: readonly PublishedVersion[], entries: readonly string[]): Promise<void> {
  const byChart = new Map<string, string[]>();
  published.forEach((version, i) => {
    const list = byChart.get(version.chart) ?? [];
    list.push(entries[i]!);
    byChart.set(version.chart, list);
  });
  const body = [...byChart].map(([chart, list]) => `  ${chart}:\n${list.join("")}`).join("");
  const temporary = join(folder, `.index.yaml.${process.pid}`);
  await writeFile(temporary, `apiVersion: v1\nentries:\n${body}generated: "${new Date().toISOString()}"\n`);
  await rename(temporary, join(folder, "index.yaml"));
}
