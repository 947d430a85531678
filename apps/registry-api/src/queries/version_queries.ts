import type { ChartVersionDetailJson, ChartVersionJson } from "@charthouse/api-types";
import type { ChartRef, ChartVersionRow, VersionRef } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { compareVersionsDesc } from "@charthouse/catalog";
import type { ApiRepositories } from "../api_repositories.ts";
import { decodeOffsetCursor, encodeOffsetCursor, type Page, type PageRequest } from "../pagination.ts";

/**
 * One page of a chart's versions, newest first by semver with non-semver versions last. The
 * order is computed in memory, so the cursor is an offset.
 */
export async function listVersions(
  db: ApiRepositories,
  organizationId: string,
  chart: ChartRef,
  page: PageRequest,
): Promise<Page<ChartVersionJson>> {
  const offset = decodeOffsetCursor(page.cursor);
  const rows = await db.catalog.listVersions(organizationId, chart);
  if (rows.length === 0) await assertChartExists(db, organizationId, chart);
  rows.sort((a, b) => compareVersionsDesc(a.version, b.version));
  const items = rows.slice(offset, offset + page.limit).map(versionJson);
  const end = offset + page.limit;
  return { items, next_cursor: end < rows.length ? encodeOffsetCursor(end) : null };
}

/** One version with its Chart.yaml facts. */
export async function getVersionDetail(
  db: ApiRepositories,
  organizationId: string,
  ref: VersionRef,
): Promise<ChartVersionDetailJson> {
  const row = await db.catalog.getVersionDetail(organizationId, ref);
  if (!row) throw versionNotFound(ref);
  const chartYaml = row.state === "ready" && isRecord(row.chart_yaml) ? row.chart_yaml : isRecord(row.index_metadata) ? row.index_metadata : null;
  const source = chartYaml ?? {};
  return {
    ...versionJson(row),
    chart_yaml: chartYaml,
    has_readme: row.has_readme,
    has_values: row.has_values,
    has_schema: row.has_schema,
    dependencies: arrayOf(source["dependencies"], isRecord),
    keywords: arrayOf(source["keywords"], isString),
    maintainers: arrayOf(source["maintainers"], isRecord),
    sources: arrayOf(source["sources"], isString),
    annotations: stringRecord(source["annotations"]),
    kube_version: stringOrNull(source["kubeVersion"]),
    type: stringOrNull(source["type"]),
  };
}

/** Fails with 404 when the organisation has no such registry or the registry no such chart. */
export async function assertChartExists(db: ApiRepositories, organizationId: string, chart: ChartRef): Promise<void> {
  if (!(await db.catalog.chartExists(organizationId, chart))) throw new NotFoundError(`No chart "${chart.name}" in registry ${chart.registryId}`);
}

/** The 404 of a version that does not exist. */
export function versionNotFound(ref: VersionRef): NotFoundError {
  return new NotFoundError(`No version "${ref.version}" of chart "${ref.chart}" in registry ${ref.registryId}`);
}

function versionJson(row: ChartVersionRow): ChartVersionJson {
  return {
    registry_id: row.registry_id,
    chart: row.chart,
    version: row.version,
    app_version: row.app_version,
    description: row.description,
    created: row.created,
    digest: row.digest,
    deprecated: row.deprecated,
    state: row.state,
    error: row.error,
    attempts: row.attempts,
    ...(row.kind === "oci_registry" ? { oci_reference: row.oci_reference } : { urls: row.urls }),
    archive_sha256: row.archive_sha256,
    size: row.size === null ? null : Number(row.size),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function arrayOf<T>(value: unknown, guard: (item: unknown) => item is T): T[] {
  return Array.isArray(value) ? value.filter(guard) : [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
