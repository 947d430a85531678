import { chartImages } from "./chart_images.ts";
import { parseValuesYaml, type ValuesMap } from "./parse_values_yaml.ts";
import { chartValuesLimits, type ValuesLimits } from "./values_limits.ts";

/** What is stored of a ready chart version and compared: its Chart.yaml, values.yaml text and schema. */
export interface ComparedVersion {
  version: string;
  /** Chart.yaml as stored (a JSON object), or null. */
  chartYaml: unknown;
  /** values.yaml as written, or null when the chart has none. */
  values: string | null;
  /** values.schema.json parsed, or null when the chart has none (or it was unreadable). */
  valuesSchema: unknown;
  /**
   * `values` already read by readComparedVersion, when the caller keeps it (a cache of versions);
   * it must come from these very `values` and Chart.yaml. Read from them when absent.
   */
  read?: ReadVersion;
}

/** A version's values parsed once, and the images they and the annotations name. */
export interface ReadVersion {
  values: ValuesMap;
  images: string[];
}

/** Parses a compared version's values and lists its images (see chartImages); `version.read` when it has one. */
export function readComparedVersion(version: ComparedVersion, limits: Readonly<ValuesLimits> = chartValuesLimits): ReadVersion {
  if (version.read !== undefined) return version.read;
  const values = parseValuesYaml(version.values ?? "", `values.yaml of version ${JSON.stringify(version.version)}`, limits);
  const chartYaml = typeof version.chartYaml === "object" && version.chartYaml !== null ? (version.chartYaml as Record<string, unknown>) : {};
  const appVersion = chartYaml["appVersion"];
  const options = typeof appVersion === "string" && appVersion !== "" ? { appVersion } : {};
  return { values, images: chartImages(chartYaml["annotations"], values, options) };
}
