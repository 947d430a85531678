import type { ChartJson } from "@charthouse/api-types";
import type { ChartFilter, ChartRow } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import type { ApiRepositories } from "../api_repositories.ts";
import { keysetPage, keysetSliceOf, type Page, type PageRequest } from "../pagination.ts";

/**
 * One page of the organisation's charts that have versions, ordered by name then id. `q` matches
 * name, description and keywords, case-insensitively, as a substring.
 */
export async function listCharts(
  db: ApiRepositories,
  organizationId: string,
  filter: ChartFilter,
  page: PageRequest,
): Promise<Page<ChartJson>> {
  const rows = await db.catalog.listCharts(organizationId, filter, keysetSliceOf(page));
  return keysetPage(rows, page.limit, chartJson);
}

/** One chart of one of the organisation's registries. */
export async function getChart(db: ApiRepositories, organizationId: string, registryId: string, name: string): Promise<ChartJson> {
  const row = await db.catalog.getChart(organizationId, { registryId, name });
  if (!row) throw new NotFoundError(`No chart "${name}" in registry ${registryId}`);
  return chartJson(row);
}

function chartJson(row: ChartRow): ChartJson {
  return {
    registry_id: row.registry_id,
    name: row.name,
    description: row.description,
    icon: row.icon,
    home: row.home,
    latest_version: row.latest_version,
    app_version: row.app_version,
    deprecated: row.deprecated,
    versions: row.versions,
    updated_at: row.updated_at.toISOString(),
  };
}
