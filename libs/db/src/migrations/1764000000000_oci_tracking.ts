import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What OCI change detection needs: each repository's last tag list (an unchanged list costs
 * one request per repository), each version's manifest digest (a re-pushed tag is noticed),
 * and notes on a sync run (artifacts skipped, rate limits met) that are not errors.
 */
export class OciTracking1764000000000 implements MigrationInterface {
  name = "OciTracking1764000000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE oci_repositories (
        registry_id uuid NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
        name text NOT NULL,
        tags_hash text NOT NULL,
        skipped_tags text[] NOT NULL DEFAULT '{}',
        rechecked_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (registry_id, name)
      );
      ALTER TABLE chart_versions ADD COLUMN manifest_digest text;
      ALTER TABLE sync_runs ADD COLUMN notes jsonb;
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE sync_runs DROP COLUMN notes;
      ALTER TABLE chart_versions DROP COLUMN manifest_digest;
      DROP TABLE oci_repositories;
    `);
  }
}
