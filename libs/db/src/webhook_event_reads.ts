import type { SqlClient } from "./sql_client.ts";

/** What a webhook tells of one chart version. */
export interface WebhookVersionFacts {
  version_id: string;
  registry_id: string;
  registry: string;
  chart: string;
  version: string;
  app_version: string | null;
  digest: string | null;
}

/** The reads the notifier makes to describe an event: versions, registries and their last syncs. */
export class WebhookEventReads {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** The facts of these versions (those that still exist), in one query. */
  async versions(versionIds: readonly string[]): Promise<WebhookVersionFacts[]> {
    if (versionIds.length === 0) return [];
    return await this.#sql.query<WebhookVersionFacts>(
      `SELECT v.id AS version_id, r.id AS registry_id, r.name AS registry, c.name AS chart, v.version, v.app_version,
              coalesce(v.digest, 'sha256:' || v.archive_sha256) AS digest
         FROM chart_versions v JOIN charts c ON c.id = v.chart_id JOIN registries r ON r.id = v.registry_id
        WHERE v.id = ANY($1::uuid[])`,
      [versionIds],
    );
  }

  /** A registry's name, or null once it is deleted. */
  async registryName(registryId: string): Promise<string | null> {
    const rows = await this.#sql.query<{ name: string }>("SELECT name FROM registries WHERE id = $1", [registryId]);
    return rows[0]?.name ?? null;
  }

  /** Whether the registry's last finished sync before this one failed too (it was already failing). */
  async failedBefore(registryId: string, syncRunId: string): Promise<boolean> {
    const rows = await this.#sql.query<{ outcome: string | null }>(
      `SELECT outcome FROM sync_runs
        WHERE registry_id = $1 AND id <> $2 AND finished_at IS NOT NULL
          AND finished_at <= coalesce((SELECT finished_at FROM sync_runs WHERE id = $2), now())
        ORDER BY finished_at DESC LIMIT 1`,
      [registryId, syncRunId],
    );
    return rows[0]?.outcome === "failed";
  }
}
