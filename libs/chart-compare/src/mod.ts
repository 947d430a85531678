/**
 * Compares two versions of a chart (values, schema, Chart.yaml and dependencies, images,
 * changelog) and checks a user's values file against one, from what is stored of each version.
 * Pure functions: no I/O; hostile YAML is refused within limits (see ValuesLimits).
 */
export { changelogBetween, changeKinds, changesAnnotation, type ChangeKind, type ChangelogEntry, type VersionChartYaml } from "./changelog_between.ts";
export { chartImages, imagesAnnotation, type ChartImagesOptions } from "./chart_images.ts";
export { checkValues, type CheckValuesOptions, type ValuesCheck } from "./check_values.ts";
export { compareChartYaml, type ChartDependency, type ChartYamlDiff } from "./compare_chart_yaml.ts";
export { compareImages, type ImagesDiff } from "./compare_images.ts";
export { compareSchemas, comparedSchemaFields, type ComparedSchemaField, type SchemaDiff } from "./compare_schemas.ts";
export { compareValueMaps, compareValues, type CompareValuesOptions, type ValuesDiff } from "./compare_values.ts";
export { type ComparedVersion, readComparedVersion, type ReadVersion } from "./compared_version.ts";
export { previousVersion } from "./previous_version.ts";
export { compareVersions, type CompareVersionsOptions, type VersionComparison } from "./compare_versions.ts";
export { type SchemaError } from "./helm_schema_errors.ts";
export { mergeValues } from "./merge_values.ts";
export { parseValuesYaml, type ValuesMap } from "./parse_values_yaml.ts";
export { chartValuesLimits, userValuesLimits, type ValuesLimits } from "./values_limits.ts";
export { versionSummary, type VersionSummary } from "./version_summary.ts";
