/** Reads Helm chart .tgz archives in memory, under size and path limits. */
export { defaultChartArchiveLimits, type ChartArchiveLimits } from "./chart_archive_limits.ts";
export { readChartArchive, type ChartArchiveContents } from "./read_chart_archive.ts";
