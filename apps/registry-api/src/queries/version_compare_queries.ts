import type { ValuesCheckJson, VersionComparisonJson } from "@charthouse/api-types";
import { changesAnnotation, checkValues, compareVersions, readComparedVersion, type ComparedVersion } from "@charthouse/chart-compare";
import type { ChartRef, ComparableVersionRow, VersionMetadataReads, VersionRef } from "@charthouse/db";
import { createHash } from "node:crypto";
import { WeightedLru, type WeightedLruLimits } from "../weighted_lru.ts";
import { notExtracted } from "./version_file_queries.ts";
import { versionNotFound } from "./version_queries.ts";

/** The reads a comparison needs (VersionMetadataReads has them). */
export type ComparisonReads = Pick<VersionMetadataReads, "comparableVersions" | "metadata">;

/** Where comparisons read versions from: Postgres, through caches of versions read and comparisons made. */
export interface ComparisonSource {
  reads: ComparisonReads;
  /** Versions read (values parsed, images listed), by version id and archive digest. */
  versions: WeightedLru<ComparedVersion>;
  /** Comparisons made, by both versions' keys and the changelog they were made with. */
  comparisons: WeightedLru<VersionComparisonJson>;
}

/** Bounds of the caches of a ComparisonSource. */
export interface ComparisonCacheLimits {
  versions: WeightedLruLimits;
  comparisons: WeightedLruLimits;
}

/**
 * A few hundred versions and at most 64 Mi characters of their text (their parsed form is a few
 * times that); a few hundred comparisons and at most 32 Mi characters of their JSON.
 */
export const defaultComparisonCacheLimits: Readonly<ComparisonCacheLimits> = Object.freeze({
  versions: { maxEntries: 300, maxChars: 64 * 1024 * 1024 },
  comparisons: { maxEntries: 300, maxChars: 32 * 1024 * 1024 },
});

/** A ComparisonSource over `reads` with empty caches. */
export function comparisonSource(reads: ComparisonReads, limits: Readonly<ComparisonCacheLimits> = defaultComparisonCacheLimits): ComparisonSource {
  return { reads, versions: new WeightedLru(limits.versions), comparisons: new WeightedLru(limits.comparisons) };
}

/**
 * What changed from version `from` to version `to` of a chart (either order; a version against
 * itself is an empty comparison). 404 when either is unknown (`not_found`) or not ready (`not_extracted`).
 */
export async function getVersionComparison(
  source: ComparisonSource,
  organizationId: string,
  request: { chart: ChartRef; from: string; to: string },
): Promise<VersionComparisonJson> {
  const { chart, from, to } = request;
  const rows = await source.reads.comparableVersions(organizationId, chart, [from, to]);
  const [fromRow, toRow] = [readyRow(rows, chart, from), readyRow(rows, chart, to)];
  const changes = rows.filter((row) => row.state === "ready" && row.changes !== null).map((row) => [row.version, row.changes] as const);
  // A comparison is a function of the two versions' metadata and of the changelog annotations.
  const key = `${chart.name}|${versionKey(fromRow)}|${versionKey(toRow)}|${createHash("sha256").update(JSON.stringify(changes)).digest("base64")}`;
  const known = source.comparisons.get(key);
  if (known !== undefined) return known;
  const [fromVersion, toVersion] = await comparedVersions(source, organizationId, chart, [fromRow, toRow]);
  const versions = changes.map(([version, text]) => ({ version, chartYaml: { annotations: { [changesAnnotation]: text } } }));
  const comparison = compareVersions(fromVersion!, toVersion!, { chart: chart.name, versions });
  source.comparisons.set(key, comparison, JSON.stringify(comparison).length);
  return comparison;
}

/** The key of a version's stored metadata: a version re-extracted from another archive is read again. */
function versionKey(row: ComparableVersionRow): string {
  return `${row.id}:${row.archive_sha256 ?? ""}`;
}

/**
 * What a user's values file (YAML text) would do to a ready version: unknown keys and schema
 * errors. 413 too_large over 1 MiB; 422 invalid_input for invalid YAML, an alias bomb or deep nesting.
 */
export async function checkVersionValues(source: ComparisonSource, organizationId: string, ref: VersionRef, valuesYaml: string): Promise<ValuesCheckJson> {
  const chart = { registryId: ref.registryId, name: ref.chart };
  const rows = await source.reads.comparableVersions(organizationId, chart, [ref.version]);
  const [version] = await comparedVersions(source, organizationId, chart, [readyRow(rows, chart, ref.version)]);
  return checkValues(valuesYaml, version!);
}

/** The row of a ready version, or the 404 that says why there is none. */
function readyRow(rows: readonly ComparableVersionRow[], chart: ChartRef, version: string): ComparableVersionRow {
  const row = rows.find((candidate) => candidate.version === version);
  const ref = { registryId: chart.registryId, chart: chart.name, version };
  if (row === undefined) throw versionNotFound(ref);
  if (row.state !== "ready") throw notExtracted(ref, row.state);
  return row;
}

/** The versions of `rows`, read once (values parsed, images listed) and then kept in the cache. */
async function comparedVersions(
  source: ComparisonSource,
  organizationId: string,
  chart: ChartRef,
  rows: readonly ComparableVersionRow[],
): Promise<ComparedVersion[]> {
  const keys = rows.map(versionKey);
  const found = new Map<string, ComparedVersion>();
  keys.forEach((key) => {
    const cached = source.versions.get(key);
    if (cached !== undefined) found.set(key, cached);
  });
  const missing = rows.filter((_, i) => !found.has(keys[i]!));
  if (missing.length > 0) {
    const stored = await source.reads.metadata(organizationId, chart, [...new Set(missing.map((row) => row.id))]);
    for (const row of missing) {
      const metadata = stored.find((candidate) => candidate.id === row.id);
      const ref = { registryId: chart.registryId, chart: chart.name, version: row.version };
      // It stopped being ready between the two reads (a resync removed it).
      if (metadata === undefined) throw versionNotFound(ref);
      const version: ComparedVersion = {
        version: metadata.version,
        chartYaml: metadata.chart_yaml,
        values: metadata.values_yaml,
        valuesSchema: metadata.values_schema,
      };
      version.read = readComparedVersion(version);
      const key = versionKey(row);
      source.versions.set(key, version, textLength(version));
      found.set(key, version);
    }
  }
  return keys.map((key) => found.get(key)!);
}

/** About how much text a version holds (what the cache weighs it by). */
function textLength(version: ComparedVersion): number {
  return (version.values?.length ?? 0) + (JSON.stringify(version.valuesSchema)?.length ?? 0) + (JSON.stringify(version.chartYaml)?.length ?? 0);
}
