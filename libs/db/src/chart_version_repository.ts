import type { SqlClient } from "./sql_client.ts";
import { sealedCredentialColumns, sealedCredentialOf, type SealedCredential, type SealedCredentialRow } from "./sealed_credential.ts";
import type {
  IndexedChart,
  IndexedVersion,
  PendingVersion,
  ReopenedVersion,
  StoredOciVersion,
  StoredVersion,
  StuckVersion,
  VersionChangeSlice,
  VersionStore,
} from "@charthouse/catalog";
import type { StoredError } from "@charthouse/errors";
import type { ChartVersionState } from "./stored_types.ts";

/** What a downloader or extractor needs to know about one version. */
export interface VersionWork {
  id: string;
  state: ChartVersionState;
  chart: string;
  version: string;
  digest: string | null;
  archiveSha256: string | null;
  /** Size of the stored archive, once downloaded. */
  size: number | null;
  /** How often it was re-opened: a download request of an older round is superseded. */
  requeues: number;
  /** When the index first listed it (the start of its discovered -> ready time); work() always sets it. */
  discoveredAt?: Date;
  registry: {
    id: string;
    organizationId: string;
    url: string;
    credential: SealedCredential | null;
  };
}

/** What the extractor found in an archive. */
export interface ExtractedMetadata {
  chartYaml: Record<string, unknown>;
  readme: string | null;
  valuesYaml: string | null;
  valuesSchema: unknown;
  valuesSchemaError: string | null;
}

/** Chart versions: batched index writes and the download/extract state machine. */
export class ChartVersionRepository implements VersionStore {
  readonly #db: SqlClient;
  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** Every version stored for a registry, removed ones included (one query). */
  async storedVersions(registryId: string): Promise<StoredVersion[]> {
    return await this.#db.query(`SELECT v.id, c.name AS chart, v.version, v.digest, v.state, v.deprecated
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id
        WHERE v.registry_id = $1`,
      [registryId],
    );
  }

  /**
   * The stored versions of an OCI registry with what its sync compares and keeps: where each was
   * read from (tag reference, manifest digest) and the facts a chart shows of its newest version.
   */
  async storedOciVersions(registryId: string): Promise<StoredOciVersion[]> {
    return await this.#db.query(`SELECT v.id, c.name AS chart, v.version, v.digest, v.state, v.deprecated,
              v.oci_reference AS "ociReference", v.manifest_digest AS "manifestDigest",
              v.app_version AS "appVersion", v.description, v.index_metadata AS "indexMetadata"
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id
        WHERE v.registry_id = $1`,
      [registryId],
    );
  }

  /**
   * Inserts or updates the registry's charts. With `complete` (an index lists every chart) the
   * counts of charts it no longer lists are zeroed; without it only the given charts change.
   */
  async upsertCharts(registryId: string, charts: readonly IndexedChart[], options: { complete?: boolean } = {}): Promise<void> {
    await this.#db.transaction(async (tx) => {
      await tx.query(`INSERT INTO charts (registry_id, name, description, icon, home, keywords, latest_version, app_version, deprecated, versions)
         SELECT $1, x.name, x.description, x.icon, x.home, ARRAY(SELECT jsonb_array_elements_text(x.keywords)),
                x.latest_version, x.app_version, x.deprecated, x.versions
           FROM jsonb_to_recordset($2::jsonb) AS x(name text, description text, icon text, home text, keywords jsonb,
                latest_version text, app_version text, deprecated boolean, versions integer)
         ON CONFLICT (registry_id, name) DO UPDATE SET
           description = EXCLUDED.description, icon = EXCLUDED.icon, home = EXCLUDED.home, keywords = EXCLUDED.keywords,
           latest_version = EXCLUDED.latest_version, app_version = EXCLUDED.app_version,
           deprecated = EXCLUDED.deprecated, versions = EXCLUDED.versions, updated_at = now()
         WHERE (charts.description, charts.icon, charts.home, charts.keywords, charts.latest_version,
                charts.app_version, charts.deprecated, charts.versions)
           IS DISTINCT FROM (EXCLUDED.description, EXCLUDED.icon, EXCLUDED.home, EXCLUDED.keywords,
                EXCLUDED.latest_version, EXCLUDED.app_version, EXCLUDED.deprecated, EXCLUDED.versions)`,
        [registryId, JSON.stringify(charts.map(chartRecord))],
      );
      if (options.complete === false) return;
      await tx.query("UPDATE charts SET versions = 0, updated_at = now() WHERE registry_id = $1 AND versions > 0 AND NOT (name = ANY($2::text[]))",
        [registryId, charts.map((c) => c.name)],
      );
    });
  }

  /**
   * Applies one slice of a diff (charts already upserted) in one transaction of a few set-based
   * statements: no round trip per version. Returns the versions this slice put in `discovered`,
   * which need their archive; a version that already existed (an earlier, interrupted attempt)
   * is not returned: pendingDownloads() finds it.
   */
  async applyVersions(registryId: string, changes: VersionChangeSlice): Promise<PendingVersion[]> {
    return await this.#db.transaction(async (tx) => {
      const pending: PendingVersion[] = [];
      if (changes.added.length > 0) {
        pending.push(
          ...(await tx.query<PendingVersion>(`WITH inserted AS (
               INSERT INTO chart_versions (chart_id, registry_id, version, digest, app_version, description, created,
                      deprecated, urls, oci_reference, manifest_digest, download_url, index_metadata)
               SELECT c.id, $1, x.version, x.digest, x.app_version, x.description, x.created, x.deprecated,
                      ARRAY(SELECT jsonb_array_elements_text(x.urls)), x.oci_reference, x.manifest_digest, x.download_url,
                      x.index_metadata
                 FROM jsonb_to_recordset($2::jsonb) AS x(chart text, version text, digest text, app_version text,
                      description text, created text, deprecated boolean, urls jsonb, oci_reference text,
                      manifest_digest text, download_url text, index_metadata jsonb)
                 JOIN charts c ON c.registry_id = $1 AND c.name = x.chart
               ON CONFLICT (chart_id, version) DO NOTHING
               RETURNING id, chart_id, version, digest, download_url, requeues
             )
             SELECT inserted.id, c.name AS chart, inserted.version, inserted.digest,
                    inserted.download_url AS "downloadUrl", inserted.requeues
               FROM inserted JOIN charts c ON c.id = inserted.chart_id`,
            [registryId, JSON.stringify(changes.added.map(versionRecord))],
          )),
        );
      }
      if (changes.refetch.length > 0) {
        const refetched = await tx.query<{ id: string; requeues: number }>(`UPDATE chart_versions v SET digest = x.digest, app_version = x.app_version, description = x.description,
                  created = x.created, deprecated = x.deprecated, urls = ARRAY(SELECT jsonb_array_elements_text(x.urls)),
                  oci_reference = x.oci_reference, manifest_digest = x.manifest_digest, download_url = x.download_url,
                  index_metadata = x.index_metadata, requeues = v.requeues + 1,
                  state = 'discovered', error = NULL, attempts = 0, archive_sha256 = NULL, size = NULL,
                  chart_yaml = NULL, readme = NULL, values_yaml = NULL, values_schema = NULL, values_schema_error = NULL,
                  removed_at = NULL, updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, digest text, app_version text, description text,
                  created text, deprecated boolean, urls jsonb, oci_reference text, manifest_digest text, download_url text,
                  index_metadata jsonb)
            WHERE v.id = x.id
            RETURNING v.id, v.requeues`,
          [JSON.stringify(changes.refetch.map((v) => ({ id: v.id, ...versionRecord(v) })))],
        );
        const requeuesOf = new Map(refetched.map((r) => [r.id, r.requeues]));
        pending.push(
          ...changes.refetch.map((v) => ({
            id: v.id,
            chart: v.chart,
            version: v.version,
            digest: v.digest,
            downloadUrl: v.downloadUrl,
            requeues: requeuesOf.get(v.id) ?? 0,
          })),
        );
      }
      if (changes.updated.length > 0) {
        await tx.query(`UPDATE chart_versions v SET deprecated = x.deprecated, description = x.description,
                  app_version = x.app_version, index_metadata = x.index_metadata, updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, deprecated boolean, description text, app_version text,
                  index_metadata jsonb)
            WHERE v.id = x.id`,
          [JSON.stringify(changes.updated.map((v) => ({ id: v.id, ...versionRecord(v) })))],
        );
      }
      if (changes.removedIds.length > 0) {
        await tx.query("UPDATE chart_versions SET state = 'removed', removed_at = now(), updated_at = now() WHERE id = ANY($1::uuid[])",
          [changes.removedIds],
        );
      }
      return pending;
    });
  }

  /** Versions of a registry still waiting for their archive (new, or retried after a crash). */
  async pendingDownloads(registryId: string): Promise<PendingVersion[]> {
    return await this.#db.query(`SELECT v.id, c.name AS chart, v.version, v.digest, v.download_url AS "downloadUrl", v.requeues
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id
        WHERE v.registry_id = $1 AND v.state = 'discovered'`,
      [registryId],
    );
  }

  /**
   * Sends versions back to `discovered` to be downloaded again: failed ones, and ones stuck on
   * their way (a lost message). Each is re-opened once (requeues + 1, a new download request id);
   * ready and removed versions are left alone. Returns what is needed to queue them.
   */
  async reopen(versionIds: readonly string[]): Promise<ReopenedVersion[]> {
    if (versionIds.length === 0) return [];
    return await this.#reopenWhere("id = ANY($1::uuid[]) AND state IN ('failed', 'discovered', 'downloaded')", [versionIds]);
  }

  /** Re-opens every failed version of a registry ("Sync now" retries them all). */
  async reopenFailed(registryId: string): Promise<ReopenedVersion[]> {
    return await this.#reopenWhere("registry_id = $1 AND state = 'failed'", [registryId]);
  }

  /**
   * Re-opens failed versions whose last error is one of `codes` (passing failures) and that have
   * not been tried for `olderThanSeconds`, at most `limit`.
   */
  async reopenRetryable(options: { codes: readonly string[]; olderThanSeconds: number; limit: number }): Promise<ReopenedVersion[]> {
    return await this.#reopenWhere(
      "state = 'failed' AND error->>'code' = ANY($1::text[]) AND updated_at < now() - make_interval(secs => $2) ORDER BY updated_at LIMIT $3",
      [options.codes, options.olderThanSeconds, options.limit],
    );
  }

  /**
   * Re-opens failed versions whose archive is on `host` (`name` or `name:port`) and whose last
   * error is one of `codes`: the host was down and is back.
   */
  async reopenFailedOnHost(host: string, codes: readonly string[], limit: number): Promise<ReopenedVersion[]> {
    return await this.#reopenWhere(
      "state = 'failed' AND error->>'code' = ANY($2::text[]) AND substring(download_url from '^[a-z]+://([^/]+)') = $1 LIMIT $3",
      [host, codes, limit],
    );
  }

  /** One statement that picks versions by `condition` (row locks, SKIP LOCKED: safe with several copies) and re-opens them. */
  async #reopenWhere(condition: string, params: readonly unknown[]): Promise<ReopenedVersion[]> {
    return await this.#db.query(`WITH picked AS (
         SELECT id FROM chart_versions WHERE ${condition} FOR UPDATE SKIP LOCKED
       ), reopened AS (
         UPDATE chart_versions v SET state = 'discovered', requeues = v.requeues + 1, attempts = 0,
                archive_sha256 = NULL, size = NULL, updated_at = now()
           FROM picked WHERE v.id = picked.id
         RETURNING v.id, v.chart_id, v.registry_id, v.version, v.digest, v.download_url, v.requeues
       )
       SELECT r.id, r.registry_id AS "registryId", c.name AS chart, r.version, r.digest,
              r.download_url AS "downloadUrl", r.requeues
         FROM reopened r JOIN charts c ON c.id = r.chart_id`,
      params,
    );
  }

  /**
   * Versions in flight (`discovered`, `downloaded`) that nothing has touched for
   * `olderThanSeconds`: their message may be lost. Each is touched as it is returned, so it is
   * handed to one sweep at a time and not again until it stays stuck that long once more.
   */
  async claimStuck(options: { olderThanSeconds: number; limit: number }): Promise<StuckVersion[]> {
    return await this.#db.query(`WITH stuck AS (
         SELECT id FROM chart_versions
          WHERE state IN ('discovered', 'downloaded') AND updated_at < now() - make_interval(secs => $1)
          ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ), touched AS (
         UPDATE chart_versions v SET updated_at = now() FROM stuck WHERE v.id = stuck.id
         RETURNING v.id, v.chart_id, v.registry_id, v.state, v.version, v.digest, v.download_url, v.requeues,
                   v.archive_sha256, v.size
       )
       SELECT t.id, t.registry_id AS "registryId", t.state, c.name AS chart, t.version, t.digest,
              t.download_url AS "downloadUrl", t.requeues, t.archive_sha256 AS "archiveSha256", t.size::double precision AS size
         FROM touched t JOIN charts c ON c.id = t.chart_id`,
      [options.olderThanSeconds, options.limit],
    );
  }

  /** The version and its registry (with the sealed credential), or null when it is gone. */
  async work(versionId: string): Promise<VersionWork | null> {
    const rows: RawWork[] = await this.#db.query(`SELECT v.id, v.state, c.name AS chart, v.version, v.digest, v.archive_sha256,
              v.size::double precision AS size, v.requeues,
              extract(epoch FROM v.discovered_at)::double precision * 1000 AS discovered_at_ms,
              r.id AS registry_id, r.organization_id, r.url,
              ${sealedCredentialColumns}
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
         LEFT JOIN credentials cr ON cr.id = r.credential_id
        WHERE v.id = $1`,
      [versionId],
      { prepareAs: "chart_versions.work" },
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      state: row.state,
      chart: row.chart,
      version: row.version,
      digest: row.digest,
      archiveSha256: row.archive_sha256,
      size: row.size,
      requeues: row.requeues,
      discoveredAt: new Date(row.discovered_at_ms),
      registry: {
        id: row.registry_id,
        organizationId: row.organization_id,
        url: row.url,
        credential: sealedCredentialOf(row),
      },
    };
  }

  /** discovered -> downloaded, once the archive is verified and stored. False if the state moved on. */
  async markDownloaded(versionId: string, archiveSha256: string, size: number): Promise<boolean> {
    const rows: unknown[] = await this.#db.query(`UPDATE chart_versions SET state = 'downloaded', archive_sha256 = $2, size = $3, error = NULL, updated_at = now()
        WHERE id = $1 AND state IN ('discovered', 'failed') RETURNING id`,
      [versionId, archiveSha256, size],
      { prepareAs: "chart_versions.markDownloaded" },
    );
    return rows.length > 0;
  }

  /** downloaded -> ready, with the files read from the archive. False if the state moved on. */
  async markReady(versionId: string, metadata: ExtractedMetadata): Promise<boolean> {
    const rows: unknown[] = await this.#db.query(`UPDATE chart_versions SET state = 'ready', chart_yaml = $2, readme = $3, values_yaml = $4,
              values_schema = $5, values_schema_error = $6, error = NULL, updated_at = now()
        WHERE id = $1 AND state = 'downloaded' RETURNING id`,
      [
        versionId,
        JSON.stringify(metadata.chartYaml),
        metadata.readme,
        metadata.valuesYaml,
        metadata.valuesSchema === null ? null : JSON.stringify(metadata.valuesSchema),
        metadata.valuesSchemaError,
      ],
    );
    return rows.length > 0;
  }

  /**
   * Counts a failed attempt that will be retried, with its error, leaving the state as it is. A
   * version that another delivery has meanwhile made ready (or removed) keeps no stale error.
   */
  async recordRetry(versionId: string, error: StoredError): Promise<void> {
    await this.#db.query(`UPDATE chart_versions SET attempts = attempts + 1, error = $2, updated_at = now()
        WHERE id = $1 AND state IN ('discovered', 'downloaded')`,
      [versionId, JSON.stringify(error)],
    );
  }

  /** Marks versions failed for good with one error (unless removed meanwhile), in one statement. */
  async markFailed(versionIds: string | readonly string[], error: StoredError): Promise<void> {
    const ids = typeof versionIds === "string" ? [versionIds] : [...versionIds];
    if (ids.length === 0) return;
    await this.#db.query(`UPDATE chart_versions SET state = 'failed', attempts = attempts + 1, error = $2, updated_at = now()
        WHERE id = ANY($1::uuid[]) AND state <> 'removed'`,
      [ids, JSON.stringify(error)],
    );
  }
}

interface RawWork extends SealedCredentialRow {
  id: string;
  state: ChartVersionState;
  chart: string;
  version: string;
  digest: string | null;
  archive_sha256: string | null;
  size: number | null;
  requeues: number;
  discovered_at_ms: number;
  registry_id: string;
  organization_id: string;
  url: string;
}

function chartRecord(chart: IndexedChart): Record<string, unknown> {
  return {
    name: chart.name,
    description: chart.description,
    icon: chart.icon,
    home: chart.home,
    keywords: chart.keywords,
    latest_version: chart.latestVersion,
    app_version: chart.appVersion,
    deprecated: chart.deprecated,
    versions: chart.versions,
  };
}

function versionRecord(version: IndexedVersion): Record<string, unknown> {
  return {
    chart: version.chart,
    version: version.version,
    digest: version.digest,
    app_version: version.appVersion,
    description: version.description,
    created: version.created,
    deprecated: version.deprecated,
    urls: version.urls,
    oci_reference: version.ociReference ?? null,
    manifest_digest: version.manifestDigest ?? null,
    download_url: version.downloadUrl,
    index_metadata: version.indexMetadata,
  };
}
