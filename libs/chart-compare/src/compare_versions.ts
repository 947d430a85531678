import { changelogBetween, type ChangelogEntry, type VersionChartYaml } from "./changelog_between.ts";
import { compareChartYaml, type ChartYamlDiff } from "./compare_chart_yaml.ts";
import { compareImages, type ImagesDiff } from "./compare_images.ts";
import { compareSchemas, type SchemaDiff } from "./compare_schemas.ts";
import { compareValueMaps, type ValuesDiff } from "./compare_values.ts";
import { type ComparedVersion, readComparedVersion } from "./compared_version.ts";
import type { ValuesLimits } from "./values_limits.ts";

/** What changed between two versions of a chart, in the API's JSON shape. */
export interface VersionComparison {
  chart: string;
  from: string;
  to: string;
  values: ValuesDiff;
  schema: SchemaDiff;
  chart_yaml: ChartYamlDiff;
  images: ImagesDiff;
  changelog: ChangelogEntry[];
}

/** Options of {@link compareVersions}. */
export interface CompareVersionsOptions {
  chart: string;
  /** The chart's versions with their Chart.yaml, for the changelog (default: only `from` and `to`). */
  versions?: readonly VersionChartYaml[];
  limits?: Readonly<ValuesLimits>;
}

/**
 * Compares two versions of one chart: values, schema, Chart.yaml and dependencies, images, and
 * the changelog of the versions between them. Either order works; a version against itself is an
 * empty comparison. Throws InputError or TooLargeError when a values.yaml cannot be read.
 */
export function compareVersions(from: ComparedVersion, to: ComparedVersion, options: CompareVersionsOptions): VersionComparison {
  const fromRead = readComparedVersion(from, options.limits);
  const toRead = readComparedVersion(to, options.limits);
  const versions = options.versions ?? [from, to];
  return {
    chart: options.chart,
    from: from.version,
    to: to.version,
    values: compareValueMaps(fromRead.values, toRead.values),
    schema: compareSchemas(from.valuesSchema, to.valuesSchema),
    chart_yaml: compareChartYaml(from.chartYaml, to.chartYaml),
    images: compareImages(fromRead.images, toRead.images),
    changelog: changelogBetween(versions, from.version, to.version),
  };
}
