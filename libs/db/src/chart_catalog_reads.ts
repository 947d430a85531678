import type { StoredError } from "@charthouse/errors";
import type { KeysetSlice } from "./keyset_slice.ts";
import type { SqlClient } from "./sql_client.ts";
import type { ChartVersionState, RegistryKind } from "./stored_types.ts";

/** A chart as the API lists it. */
export interface ChartRow {
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

/** Which charts a list shows: one registry's or all the organisation's, optionally matching `q`. */
export interface ChartFilter {
  registryId?: string;
  q?: string;
}

/** A chart version as the API lists it (with its registry's kind). */
export interface ChartVersionRow {
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
  /** bigint, as Postgres text. */
  size: string | null;
}

/** A chart version with its Chart.yaml facts and which files its archive had. */
export interface ChartVersionDetailRow extends ChartVersionRow {
  chart_yaml: unknown;
  index_metadata: unknown;
  has_readme: boolean;
  has_values: boolean;
  has_schema: boolean;
}

/** A chart of a registry: the organisation's registry, the chart's name. */
export interface ChartRef {
  registryId: string;
  name: string;
}

/** A version of a chart of a registry. */
export interface VersionRef {
  registryId: string;
  chart: string;
  version: string;
}

/** A file a ready version may have, read from its archive by the metadata extractor. */
export type VersionFile = "readme" | "values" | "schema";

const chartColumns = `c.id, c.registry_id, c.name, c.description, c.icon, c.home, c.latest_version, c.app_version,
                      c.deprecated, c.versions, c.updated_at`;
const versionColumns = `v.registry_id, r.kind, c.name AS chart, v.version, v.app_version, v.description, v.created, v.digest,
                        v.deprecated, v.state, v.error, v.attempts, v.urls, v.oci_reference, v.archive_sha256, v.size`;
// Every version read is scoped by organisation ($1), registry ($2) and chart name ($3). The chart
// is found by its own registry and name, so Postgres looks it up by its unique key.
const versionScope = `FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
                      WHERE r.organization_id = $1 AND v.registry_id = $2 AND c.registry_id = $2 AND c.name = $3`;
const fileColumns: Record<VersionFile, string> = {
  readme: "v.readme",
  values: "v.values_yaml",
  schema: "v.values_schema::text",
};

/**
 * The fewest characters of `q` that have a trigram: a shorter one cannot narrow the search with
 * the trigram index, so it is matched against every chart directly.
 */
const trigramMinLength = 3;

// The API's reads are short and many: each is prepared once per connection under its name
// (see QueryOptions.prepareAs), so Postgres does not plan it again on every request.
const prepared = (name: string): { prepareAs: string } => ({ prepareAs: `chart_catalog_reads.${name}` });

/** The API's reads of charts, their versions and their files, always within one organisation. */
export class ChartCatalogReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /**
   * A slice of the organisation's charts that have versions, ordered by name then id. `q` matches
   * name, description and keywords, case-insensitively, as a substring.
   */
  async listCharts(organizationId: string, filter: ChartFilter, slice: KeysetSlice): Promise<ChartRow[]> {
    const params: unknown[] = [organizationId, slice.limit];
    const where = ["r.organization_id = $1", "c.versions > 0"];
    // The statement's shape (which filters it has) names it: one name, one SQL text.
    const shape: string[] = [];
    if (filter.registryId !== undefined) {
      params.push(filter.registryId);
      where.push(`c.registry_id = $${params.length}`);
      shape.push("registry");
    }
    if (filter.q !== undefined && filter.q !== "") {
      params.push(`%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
      const p = `$${params.length}`;
      // A chart that matches has q in chart_search_text (migration 1766600000000): its trigram index narrows first.
      if ([...filter.q].length >= trigramMinLength) {
        where.push(`chart_search_text(c.name, c.description, c.keywords) ILIKE ${p}`);
        shape.push("trigrams");
      }
      where.push(`(c.name ILIKE ${p} OR c.description ILIKE ${p} OR EXISTS (SELECT 1 FROM unnest(c.keywords) k WHERE k ILIKE ${p}))`);
      shape.push("q");
    }
    if (slice.after) {
      params.push(slice.after.name, slice.after.id);
      where.push(`(c.name, c.id) > ($${params.length - 1}, $${params.length}::uuid)`);
      shape.push("after");
    }
    return await this.#sql.query<ChartRow>(
      `SELECT ${chartColumns} FROM charts c JOIN registries r ON r.id = c.registry_id
        WHERE ${where.join(" AND ")} ORDER BY c.name, c.id LIMIT $2`,
      params,
      prepared(`listCharts.${shape.join("+") || "all"}`),
    );
  }

  /** One chart of one of the organisation's registries, or null. */
  async getChart(organizationId: string, chart: ChartRef): Promise<ChartRow | null> {
    const rows = await this.#sql.query<ChartRow>(
      `SELECT ${chartColumns} FROM charts c JOIN registries r ON r.id = c.registry_id
        WHERE r.organization_id = $1 AND c.registry_id = $2 AND c.name = $3`,
      [organizationId, chart.registryId, chart.name],
      prepared("getChart"),
    );
    return rows[0] ?? null;
  }

  /** Whether the organisation has such a registry and the registry such a chart. */
  async chartExists(organizationId: string, chart: ChartRef): Promise<boolean> {
    const rows = await this.#sql.query<{ id: string }>(
      `SELECT c.id FROM charts c JOIN registries r ON r.id = c.registry_id
        WHERE r.organization_id = $1 AND c.registry_id = $2 AND c.name = $3`,
      [organizationId, chart.registryId, chart.name],
      prepared("chartExists"),
    );
    return rows.length > 0;
  }

  /** Every version of a chart, in no particular order (the API orders them by semver). */
  async listVersions(organizationId: string, chart: ChartRef): Promise<ChartVersionRow[]> {
    return await this.#sql.query<ChartVersionRow>(
      `SELECT ${versionColumns} ${versionScope}`,
      [organizationId, chart.registryId, chart.name],
      prepared("listVersions"),
    );
  }

  /** One version with its Chart.yaml facts, or null. */
  async getVersionDetail(organizationId: string, ref: VersionRef): Promise<ChartVersionDetailRow | null> {
    const rows = await this.#sql.query<ChartVersionDetailRow>(
      `SELECT ${versionColumns}, v.chart_yaml, v.index_metadata, v.readme IS NOT NULL AS has_readme,
              v.values_yaml IS NOT NULL AS has_values, v.values_schema IS NOT NULL AS has_schema
         ${versionScope} AND v.version = $4`,
      [organizationId, ref.registryId, ref.chart, ref.version],
      prepared("getVersionDetail"),
    );
    return rows[0] ?? null;
  }

  /** A version's state and the text of one of its files (null when the archive had none), or null for no such version. */
  async getVersionFile(
    organizationId: string,
    ref: VersionRef,
    file: VersionFile,
  ): Promise<{ state: ChartVersionState; content: string | null } | null> {
    const rows = await this.#sql.query<{ state: ChartVersionState; content: string | null }>(
      `SELECT v.state, ${fileColumns[file]} AS content ${versionScope} AND v.version = $4`,
      [organizationId, ref.registryId, ref.chart, ref.version],
      prepared(`getVersionFile.${file}`),
    );
    return rows[0] ?? null;
  }

  /** A version's state and the sha256 of its stored archive (null until downloaded), or null for no such version. */
  async getArchiveDigest(organizationId: string, ref: VersionRef): Promise<{ state: ChartVersionState; archive_sha256: string | null } | null> {
    const rows = await this.#sql.query<{ state: ChartVersionState; archive_sha256: string | null }>(
      `SELECT v.state, v.archive_sha256 ${versionScope} AND v.version = $4`,
      [organizationId, ref.registryId, ref.chart, ref.version],
      prepared("getArchiveDigest"),
    );
    return rows[0] ?? null;
  }
}
