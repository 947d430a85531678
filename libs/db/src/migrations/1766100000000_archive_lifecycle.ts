import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * What the storage sweep asks of chart_versions, by index instead of by scan: does any version
 * store this archive, is a version waiting for a download with this published digest, and which
 * tombstones are past their retention.
 */
export class ArchiveLifecycle1766100000000 implements MigrationInterface {
  name = "ArchiveLifecycle1766100000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE INDEX chart_versions_by_archive ON chart_versions (archive_sha256) WHERE archive_sha256 IS NOT NULL;
      CREATE INDEX chart_versions_discovered_by_digest ON chart_versions (digest) WHERE state = 'discovered';
      CREATE INDEX chart_versions_tombstones ON chart_versions (removed_at) WHERE state = 'removed';
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX chart_versions_tombstones;
      DROP INDEX chart_versions_discovered_by_digest;
      DROP INDEX chart_versions_by_archive;
    `);
  }
}
