import type { ExtractedMetadata } from "./chart_version_repository.ts";
import type { SqlClient } from "./sql_client.ts";

/** A version the extractor just made ready, with what announcing and summarising it needs. */
export interface MarkedReady {
  id: string;
  registryId: string;
  organizationId: string;
  version: string;
  discoveredAt: Date;
  /** The chart's other ready versions when it was marked, each with the archive its metadata came from. */
  otherReady: { id: string; version: string; archiveSha256: string | null }[];
}

interface RawMarked {
  id: string;
  registry_id: string;
  organization_id: string;
  version: string;
  discovered_at_ms: number;
  other_id: string | null;
  other_version: string | null;
  other_sha256: string | null;
}

/**
 * The metadata extractor's write: downloaded -> ready with the files read from the archive, and
 * the chart's other ready versions read back in the same statement, so a version costs one
 * round trip to Postgres. The statement's snapshot does not see its own update: the version
 * itself is never among the others.
 */
export class VersionReadyWrites {
  readonly #db: SqlClient;
  constructor(db: SqlClient) {
    this.#db = db;
  }

  /**
   * Marks the version ready when it is `downloaded` and belongs to a chart named `chartName`;
   * null when it is not (gone, state moved on, or another chart's): the caller reads why.
   */
  async markReady(versionId: string, chartName: string, metadata: ExtractedMetadata): Promise<MarkedReady | null> {
    const rows: RawMarked[] = await this.#db.query(`WITH marked AS (
          UPDATE chart_versions v SET state = 'ready', chart_yaml = $3, readme = $4, values_yaml = $5,
                 values_schema = $6, values_schema_error = $7, error = NULL, updated_at = now()
            FROM charts c, registries r
           WHERE v.id = $1 AND v.state = 'downloaded' AND c.id = v.chart_id AND c.name = $2 AND r.id = v.registry_id
          RETURNING v.id, v.chart_id, v.registry_id, r.organization_id, v.version,
                    extract(epoch FROM v.discovered_at)::double precision * 1000 AS discovered_at_ms)
       SELECT m.id, m.registry_id, m.organization_id, m.version, m.discovered_at_ms,
              o.id AS other_id, o.version AS other_version, o.archive_sha256 AS other_sha256
         FROM marked m LEFT JOIN chart_versions o ON o.chart_id = m.chart_id AND o.state = 'ready' AND o.id <> m.id`,
      [
        versionId,
        chartName,
        JSON.stringify(metadata.chartYaml),
        metadata.readme,
        metadata.valuesYaml,
        metadata.valuesSchema === null ? null : JSON.stringify(metadata.valuesSchema),
        metadata.valuesSchemaError,
      ],
      { prepareAs: "version_ready_writes.markReady" },
    );
    const first = rows[0];
    if (first === undefined) return null;
    return {
      id: first.id,
      registryId: first.registry_id,
      organizationId: first.organization_id,
      version: first.version,
      discoveredAt: new Date(first.discovered_at_ms),
      otherReady: rows
        .filter((row) => row.other_id !== null)
        .map((row) => ({ id: row.other_id!, version: row.other_version!, archiveSha256: row.other_sha256 })),
    };
  }
}
