import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each registry's index.yaml as Charthouse serves it back to helm: built once when its versions
 * change, stored gzip-compressed in both forms (YAML and JSON) with its ETag and the latest
 * chart_versions.updated_at it was built from, so a reader can tell in one indexed lookup
 * whether it is still current.
 */
export class HelmIndexes1766200000000 implements MigrationInterface {
  name = "HelmIndexes1766200000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE helm_indexes (
        registry_id uuid PRIMARY KEY REFERENCES registries(id) ON DELETE CASCADE,
        etag text NOT NULL,
        version_count integer NOT NULL,
        source_stamp timestamptz,
        yaml_gzip bytea NOT NULL,
        json_gzip bytea NOT NULL,
        yaml_bytes bigint NOT NULL,
        json_bytes bigint NOT NULL,
        build_ms integer NOT NULL,
        built_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX chart_versions_by_registry_updated ON chart_versions (registry_id, updated_at);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX chart_versions_by_registry_updated;
      DROP TABLE helm_indexes;
    `);
  }
}
