import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A trigram index for the chart search (`GET /charts?q=`, a case-insensitive substring of a
 * chart's name, description or keywords): without it every search reads and matches every chart
 * of the organisation. The index covers one text of the three fields (chart_search_text); a
 * chart matching `q` always has `q` in that text, so the search narrows with the index first and
 * then checks each field as before.
 */
export class ChartSearchTrigrams1766600000000 implements MigrationInterface {
  name = "ChartSearchTrigrams1766600000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE FUNCTION chart_search_text(name text, description text, keywords text[]) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        RETURN name || E'\\n' || coalesce(description, '') || E'\\n' || coalesce(array_to_string(keywords, E'\\n'), '');
      CREATE INDEX charts_search_trigrams ON charts USING gin (chart_search_text(name, description, keywords) gin_trgm_ops);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP INDEX charts_search_trigrams;
      DROP FUNCTION chart_search_text(text, text, text[]);
    `);
  }
}
