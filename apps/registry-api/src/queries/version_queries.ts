import type { ChartVersionDetailJson, ChartVersionJson } from "@charthouse/api-types";
import type { ChartVersionState, DataSource, RegistryKind } from "@charthouse/db";
import type { StoredError } from "@charthouse/errors";
import { NotFoundError } from "@charthouse/errors";
import { compareVersionsDesc } from "@charthouse/registry-http";
import { decodeOffsetCursor, encodeOffsetCursor, type Page, type PageRequest } from "../pagination.ts";
import { queryRows } from "@charthouse/db";

interface VersionRow {
  registry_id: string;
  kind: RegistryKind;
  chart: string;
  version: string;
  app_version: string | null;
  description: string | null;
  created: string | null;
  digest: string | null;
  deprecated: boolean;
  state: ChartVersionState;
  error: StoredError | null;
  attempts: number;
  urls: string[];
  oci_reference: string | null;
  archive_sha256: string | null;
  size: string | null;
}

interface DetailRow extends VersionRow {
  chart_yaml: unknown;
  index_metadata: unknown;
  has_readme: boolean;
  has_values: boolean;
  has_schema: boolean;
}

const columns = `v.registry_id, r.kind, c.name AS chart, v.version, v.app_version, v.description, v.created, v.digest,
                 v.deprecated, v.state, v.error, v.attempts, v.urls, v.oci_reference, v.archive_sha256, v.size`;
const scope = `FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
               WHERE r.organization_id = $1 AND v.registry_id = $2 AND c.name = $3`;

/**
 * One page of a chart's versions, newest first by semver with non-semver versions last. The
 * order is computed in memory, so the cursor is an offset.
 */
export async function listVersions(
  db: DataSource,
  organizationId: string,
  chart: { registryId: string; name: string },
  page: PageRequest,
): Promise<Page<ChartVersionJson>> {
  const offset = decodeOffsetCursor(page.cursor);
  const rows = await queryRows<VersionRow>(db, `SELECT ${columns} ${scope}`, [organizationId, chart.registryId, chart.name]);
  if (rows.length === 0) await assertChartExists(db, organizationId, chart);
  rows.sort((a, b) => compareVersionsDesc(a.version, b.version));
  const items = rows.slice(offset, offset + page.limit).map(versionJson);
  const end = offset + page.limit;
  return { items, next_cursor: end < rows.length ? encodeOffsetCursor(end) : null };
}

/** One version with its Chart.yaml facts. */
export async function getVersionDetail(
  db: DataSource,
  organizationId: string,
  ref: { registryId: string; chart: string; version: string },
): Promise<ChartVersionDetailJson> {
  const rows = await queryRows<DetailRow>(
    db,
    `SELECT ${columns}, v.chart_yaml, v.index_metadata, v.readme IS NOT NULL AS has_readme,
            v.values_yaml IS NOT NULL AS has_values, v.values_schema IS NOT NULL AS has_schema
       ${scope} AND v.version = $4`,
    [organizationId, ref.registryId, ref.chart, ref.version],
  );
  const row = rows[0];
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
export async function assertChartExists(db: DataSource, organizationId: string, chart: { registryId: string; name: string }): Promise<void> {
  const rows = await queryRows<{ id: string }>(
    db,
    `SELECT c.id FROM charts c JOIN registries r ON r.id = c.registry_id
      WHERE r.organization_id = $1 AND c.registry_id = $2 AND c.name = $3`,
    [organizationId, chart.registryId, chart.name],
  );
  if (rows.length === 0) throw new NotFoundError(`No chart "${chart.name}" in registry ${chart.registryId}`);
}

/** The 404 of a version that does not exist. */
export function versionNotFound(ref: { registryId: string; chart: string; version: string }): NotFoundError {
  return new NotFoundError(`No version "${ref.version}" of chart "${ref.chart}" in registry ${ref.registryId}`);
}

function versionJson(row: VersionRow): ChartVersionJson {
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
