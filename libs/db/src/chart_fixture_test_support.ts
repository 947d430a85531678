import { randomUUID } from "node:crypto";
import type { SqlClient } from "./sql_client.ts";

/** An organisation with one HTTP registry and one chart `web` in it, for repository tests. */
export interface ChartFixture {
  organizationId: string;
  registryId: string;
  chartId: string;
}

/** Inserts a fresh organisation, registry and chart (unique names, so tests can share a database). */
export async function insertChartFixture(sql: SqlClient, prefix: string): Promise<ChartFixture> {
  const [organization] = await sql.query<{ id: string }>("INSERT INTO organizations (name) VALUES ($1) RETURNING id", [
    `${prefix}-${randomUUID()}`,
  ]);
  const [registry] = await sql.query<{ id: string }>(
    `INSERT INTO registries (organization_id, name, url, kind) VALUES ($1, $2, $3, 'http_registry') RETURNING id`,
    [organization?.id, prefix, `https://${prefix}.example.invalid`],
  );
  const [chart] = await sql.query<{ id: string }>("INSERT INTO charts (registry_id, name) VALUES ($1, 'web') RETURNING id", [registry?.id]);
  if (!organization || !registry || !chart) throw new Error("Cannot insert the chart fixture");
  return { organizationId: organization.id, registryId: registry.id, chartId: chart.id };
}
