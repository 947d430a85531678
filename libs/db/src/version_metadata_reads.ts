import type { ChartRef } from "./chart_catalog_reads.ts";
import type { SqlClient } from "./sql_client.ts";
import type { ChartVersionState } from "./stored_types.ts";

/** A version of a chart as a comparison names it: its state, and what identifies its stored metadata. */
export interface ComparableVersionRow {
  id: string;
  version: string;
  state: ChartVersionState;
  /** The archive the metadata was read from: the same id and digest mean the same metadata. */
  archive_sha256: string | null;
  /** The `artifacthub.io/changes` annotation of its Chart.yaml as written, or null. */
  changes: string | null;
}

/** What the metadata extractor stored of a ready version and a comparison reads. */
export interface StoredVersionMetadata {
  id: string;
  version: string;
  chart_yaml: unknown;
  values_yaml: string | null;
  values_schema: unknown;
}

// Every read is scoped by organisation ($1), registry ($2) and chart name ($3). The chart is found
// by its own registry and name, so Postgres looks it up by its unique key.
const chartScope = `FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
                    WHERE r.organization_id = $1 AND v.registry_id = $2 AND c.registry_id = $2 AND c.name = $3`;
// Each read is prepared once per connection (see QueryOptions.prepareAs): planning costs more than running it.
const prepared = (name: string): { prepareAs: string } => ({ prepareAs: `version_metadata_reads.${name}` });
const comparableColumns = `v.id, v.version, v.state, v.archive_sha256,
                           v.chart_yaml -> 'annotations' ->> 'artifacthub.io/changes' AS changes`;

/** The reads behind comparing versions of a chart, always within one organisation. */
export class VersionMetadataReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /**
   * The chart's ready versions, and the versions named in `alsoVersions` whatever their state, in
   * no particular order, each with its changelog annotation (small rows: no values, no schema).
   */
  async comparableVersions(organizationId: string, chart: ChartRef, alsoVersions: readonly string[] = []): Promise<ComparableVersionRow[]> {
    return await this.#sql.query<ComparableVersionRow>(
      `SELECT ${comparableColumns} ${chartScope} AND (v.state = 'ready' OR v.version = ANY($4::text[]))`,
      [organizationId, chart.registryId, chart.name, [...alsoVersions]],
      prepared("comparableVersions"),
    );
  }

  /**
   * Only the id and version of each ready version of the chart: what finding a version's
   * predecessor needs, read for every version that becomes ready, so it carries no annotations.
   */
  async readyVersions(organizationId: string, chart: ChartRef): Promise<{ id: string; version: string }[]> {
    return await this.#sql.query<{ id: string; version: string }>(
      `SELECT v.id, v.version ${chartScope} AND v.state = 'ready'`,
      [organizationId, chart.registryId, chart.name],
      prepared("readyVersions"),
    );
  }

  /** The stored Chart.yaml, values.yaml and schema of ready versions of the chart, by id (others are left out). */
  async metadata(organizationId: string, chart: ChartRef, versionIds: readonly string[]): Promise<StoredVersionMetadata[]> {
    if (versionIds.length === 0) return [];
    return await this.#sql.query<StoredVersionMetadata>(
      `SELECT v.id, v.version, v.chart_yaml, v.values_yaml, v.values_schema ${chartScope} AND v.state = 'ready' AND v.id = ANY($4::uuid[])`,
      [organizationId, chart.registryId, chart.name, [...versionIds]],
      prepared("metadata"),
    );
  }
}
