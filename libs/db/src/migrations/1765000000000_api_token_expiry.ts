import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * API tokens may expire (`expires_at`, null for never), and an organisation's tokens are listed
 * by name: an index for that list, and for the authentication lookup's expiry test.
 */
export class ApiTokenExpiry1765000000000 implements MigrationInterface {
  name = "ApiTokenExpiry1765000000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE api_tokens ADD COLUMN expires_at timestamptz;
      CREATE INDEX api_tokens_by_organization ON api_tokens (organization_id, name, id);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX api_tokens_by_organization;
      ALTER TABLE api_tokens DROP COLUMN expires_at;
    `);
  }
}
