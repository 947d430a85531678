import type { MigrationInterface, QueryRunner } from "typeorm";

/** The first schema: organisations, tokens, credentials, registries, sync runs, charts, versions. */
export class InitialSchema1732400000000 implements MigrationInterface {
  name = "InitialSchema1732400000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );

      CREATE TABLE credentials (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL,
        username text,
        provider_hint text,
        secret_key_id text NOT NULL,
        secret_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      );

      CREATE TABLE registries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        url text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('http_registry', 'oci_registry')),
        credential_id uuid REFERENCES credentials(id) ON DELETE RESTRICT,
        sync_interval_seconds integer NOT NULL DEFAULT 120
          CHECK (sync_interval_seconds = 0 OR sync_interval_seconds BETWEEN 10 AND 86400),
        next_sync_at timestamptz,
        state text NOT NULL DEFAULT 'pending',
        last_sync_at timestamptz,
        last_success_at timestamptz,
        last_outcome text,
        last_error jsonb,
        etag text,
        last_modified text,
        content_hash text,
        active_sync_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name)
      );
      CREATE INDEX registries_due ON registries (next_sync_at) WHERE next_sync_at IS NOT NULL;

      CREATE TABLE sync_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registry_id uuid NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
        trigger text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        outcome text,
        http_status integer,
        bytes bigint,
        charts_seen integer,
        versions_added integer,
        versions_removed integer,
        duration_ms integer,
        attempts integer NOT NULL DEFAULT 0,
        lease_until timestamptz,
        error jsonb
      );
      CREATE INDEX sync_runs_by_registry ON sync_runs (registry_id, requested_at DESC);
      CREATE INDEX sync_runs_unfinished ON sync_runs (requested_at) WHERE finished_at IS NULL;

      CREATE TABLE charts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        registry_id uuid NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text,
        icon text,
        home text,
        keywords text[] NOT NULL DEFAULT '{}',
        latest_version text,
        app_version text,
        deprecated boolean NOT NULL DEFAULT false,
        versions integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (registry_id, name)
      );

      CREATE TABLE chart_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        chart_id uuid NOT NULL REFERENCES charts(id) ON DELETE CASCADE,
        registry_id uuid NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
        version text NOT NULL,
        app_version text,
        description text,
        created text,
        digest text,
        deprecated boolean NOT NULL DEFAULT false,
        state text NOT NULL DEFAULT 'discovered'
          CHECK (state IN ('discovered', 'downloaded', 'ready', 'failed', 'removed')),
        error jsonb,
        attempts integer NOT NULL DEFAULT 0,
        urls text[] NOT NULL DEFAULT '{}',
        oci_reference text,
        archive_sha256 text,
        size bigint,
        index_metadata jsonb NOT NULL DEFAULT '{}',
        chart_yaml jsonb,
        readme text,
        values_yaml text,
        values_schema jsonb,
        values_schema_error text,
        discovered_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz,
        UNIQUE (chart_id, version)
      );
      CREATE INDEX chart_versions_by_registry_state ON chart_versions (registry_id, state);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE chart_versions; DROP TABLE charts; DROP TABLE sync_runs; DROP TABLE registries;
      DROP TABLE credentials; DROP TABLE api_tokens; DROP TABLE organizations;
    `);
  }
}
