import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runHelm } from "./run_helm.ts";
import { makeTempDir, removeTempDir } from "./temp_dir.ts";

/** What {@link makeChart} puts into a chart. */
export interface MakeChartOptions {
  /** Chart name (lowercase letters, digits and dashes, as `helm create` wants). */
  name: string;
  /** Chart version, written as given (`1.2.0`, `v1.0.0`, `1.0.0+build`). */
  version: string;
  /** appVersion; `helm create`'s default when omitted. */
  appVersion?: string;
  /** README.md text; none when omitted. */
  readme?: string;
  /**
   * values.yaml: YAML text as given, or an object (written as JSON, which is YAML). It replaces
   * `helm create`'s values, which its templates use: packaging works, rendering may not.
   */
  values?: string | Record<string, unknown>;
  /** values.schema.json: JSON text as given, or an object. */
  schema?: string | Record<string, unknown>;
}

/** Makes a real chart with `helm create`, the given edits and `helm package`; returns the .tgz path in `dir`. */
export async function makeChart(dir: string, options: MakeChartOptions): Promise<string> {
  const work = await makeTempDir("chart");
  try {
    await runHelm(["create", options.name], { cwd: work });
    const chartDir = join(work, options.name);
    const chartYamlPath = join(chartDir, "Chart.yaml");
    let chartYaml = await readFile(chartYamlPath, "utf8");
    chartYaml = replaceField(chartYaml, "version", options.version);
    if (options.appVersion !== undefined) chartYaml = replaceField(chartYaml, "appVersion", options.appVersion);
    await writeFile(chartYamlPath, chartYaml);
    if (options.readme !== undefined) await writeFile(join(chartDir, "README.md"), options.readme);
    if (options.values !== undefined) {
      await writeFile(join(chartDir, "values.yaml"), asText(options.values));
    }
    if (options.schema !== undefined) await writeFile(join(chartDir, "values.schema.json"), asText(options.schema));
    const printed = await runHelm(["package", chartDir, "--destination", dir], { cwd: work });
    const match = /saved it to: (.+\.tgz)\s*$/m.exec(printed);
    return match?.[1] ?? join(dir, `${options.name}-${options.version}.tgz`);
  } finally {
    await removeTempDir(work);
  }
}

/** Replaces a top-level `key: value` line of Chart.yaml, quoting the value so YAML keeps it a string. */
function replaceField(chartYaml: string, key: string, value: string): string {
  const line = `${key}: ${JSON.stringify(value)}`;
  const pattern = new RegExp(`^${key}:.*$`, "m");
  return pattern.test(chartYaml) ? chartYaml.replace(pattern, line) : `${chartYaml.trimEnd()}\n${line}\n`;
}

function asText(content: string | Record<string, unknown>): string {
  return typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`;
}
