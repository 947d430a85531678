import type { SqlClient } from "./sql_client.ts";

/** What an OCI sync remembers of one repository between syncs. */
export interface OciRepositoryState {
  /** The repository's path in the registry (`org/charts/nginx`). */
  name: string;
  /** sha256 of its sorted tag list when last applied: an equal list needs no further request. */
  tagsHash: string;
  /** Tags whose artifact is not a Helm chart, not fetched again until the next re-check. */
  skippedTags: string[];
  /** When the manifest digests of its known tags were last compared (re-pushed tags). */
  recheckedAt: Date;
}

/** The per-repository state of OCI registries' syncs. */
export class OciRepositoryStateRepository {
  readonly #db: SqlClient;
  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The remembered state of every repository of a registry, by name. */
  async forRegistry(registryId: string): Promise<Map<string, OciRepositoryState>> {
    const rows: OciRepositoryState[] = await this.#db.query(`SELECT name, tags_hash AS "tagsHash", skipped_tags AS "skippedTags", rechecked_at AS "recheckedAt"
         FROM oci_repositories WHERE registry_id = $1`,
      [registryId],
    );
    return new Map(rows.map((row) => [row.name, row]));
  }

  /**
   * Saves the state of the repositories a sync applied and forgets those the registry no longer
   * has, in one transaction. Called after the versions are written, so a crash redoes the sync.
   */
  async replace(registryId: string, states: readonly OciRepositoryState[], keep: readonly string[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      if (states.length > 0) {
        await tx.query(`INSERT INTO oci_repositories (registry_id, name, tags_hash, skipped_tags, rechecked_at)
           SELECT $1, x.name, x.tags_hash, ARRAY(SELECT jsonb_array_elements_text(x.skipped_tags)), x.rechecked_at
             FROM jsonb_to_recordset($2::jsonb) AS x(name text, tags_hash text, skipped_tags jsonb, rechecked_at timestamptz)
           ON CONFLICT (registry_id, name) DO UPDATE SET tags_hash = EXCLUDED.tags_hash, skipped_tags = EXCLUDED.skipped_tags,
                  rechecked_at = EXCLUDED.rechecked_at, updated_at = now()`,
          [
            registryId,
            JSON.stringify(
              states.map((s) => ({ name: s.name, tags_hash: s.tagsHash, skipped_tags: s.skippedTags, rechecked_at: s.recheckedAt.toISOString() })),
            ),
          ],
        );
      }
      await tx.query("DELETE FROM oci_repositories WHERE registry_id = $1 AND NOT (name = ANY($2::text[]))", [registryId, [...keep]]);
    });
  }

  /** Forgets everything remembered of a registry (its URL or credential changed). */
  async forget(registryId: string): Promise<void> {
    await this.#db.query("DELETE FROM oci_repositories WHERE registry_id = $1", [registryId]);
  }
}
