import type { ChartJson } from "@charthouse/api-types";
import type { DataSource } from "@charthouse/db";
import { NotFoundError } from "@charthouse/errors";
import { decodeKeysetCursor, keysetPage, type Page, type PageRequest } from "../pagination.ts";
import { queryRows } from "@charthouse/db";

/** Which charts a list shows: one registry's or all the organisation's, optionally matching `q`. */
export interface ChartFilter {
  registryId?: string;
  q?: string;
}

interface ChartRow {
  id: string;
  registry_id: string;
  name: string;
  description: string | null;
  icon: string | null;
  home: string | null;
  latest_version: string | null;
  app_version: string | null;
  deprecated: boolean;
  versions: number;
  updated_at: Date;
}

const columns = `c.id, c.registry_id, c.name, c.description, c.icon, c.home, c.latest_version, c.app_version,
                 c.deprecated, c.versions, c.updated_at`;

/**
 * One page of the organisation's charts that have versions, ordered by name then id. `q` matches
 * name, description and keywords, case-insensitively, as a substring.
 */
export async function listCharts(
  db: DataSource,
  organizationId: string,
  filter: ChartFilter,
  page: PageRequest,
): Promise<Page<ChartJson>> {
  const after = decodeKeysetCursor(page.cursor);
  const params: unknown[] = [organizationId, page.limit + 1];
  const where = ["r.organization_id = $1", "c.versions > 0"];
  if (filter.registryId !== undefined) {
    params.push(filter.registryId);
    where.push(`c.registry_id = $${params.length}`);
  }
  if (filter.q !== undefined && filter.q !== "") {
    params.push(`%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    const p = `$${params.length}`;
    where.push(`(c.name ILIKE ${p} OR c.description ILIKE ${p} OR EXISTS (SELECT 1 FROM unnest(c.keywords) k WHERE k ILIKE ${p}))`);
  }
  if (after) {
    params.push(after.name, after.id);
    where.push(`(c.name, c.id) > ($${params.length - 1}, $${params.length}::uuid)`);
  }
  const rows = await queryRows<ChartRow>(
    db,
    `SELECT ${columns} FROM charts c JOIN registries r ON r.id = c.registry_id
      WHERE ${where.join(" AND ")} ORDER BY c.name, c.id LIMIT $2`,
    params,
  );
  return keysetPage(rows, page.limit, chartJson);
}

/** One chart of one of the organisation's registries. */
export async function getChart(db: DataSource, organizationId: string, registryId: string, name: string): Promise<ChartJson> {
  const rows = await queryRows<ChartRow>(
    db,
    `SELECT ${columns} FROM charts c JOIN registries r ON r.id = c.registry_id
      WHERE r.organization_id = $1 AND c.registry_id = $2 AND c.name = $3`,
    [organizationId, registryId, name],
  );
  const row = rows[0];
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
