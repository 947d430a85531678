import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A version carries where its archive is fetched from (`download_url`), so that any service can
 * queue its download again (a sweep of stuck versions, a retry of failed ones, a replayed dead
 * letter) without the index that listed it; `requeues` counts how often it was re-opened, and is
 * part of its download request's message id so a new request is never dropped as a duplicate.
 * The partial index serves the sweeps, which look only at versions in flight or failed.
 */
export class DurableDelivery1766000000000 implements MigrationInterface {
  name = "DurableDelivery1766000000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE chart_versions ADD COLUMN download_url text, ADD COLUMN requeues integer NOT NULL DEFAULT 0;
      CREATE INDEX chart_versions_unsettled ON chart_versions (state, updated_at)
        WHERE state IN ('discovered', 'downloaded', 'failed');
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX chart_versions_unsettled;
      ALTER TABLE chart_versions DROP COLUMN requeues, DROP COLUMN download_url;
    `);
  }
}
