import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Receivers of registries' push events: each belongs to one registry of an organisation and
 * holds what proves a sender (a sha256 of a bearer or path secret, or a sealed HMAC key for
 * GitHub). The delivery ids a receiver has accepted are remembered for a while so a replayed
 * GitHub delivery is refused. Sync runs gain the trigger `push`.
 */
export class Receivers1766400000000 implements MigrationInterface {
  name = "Receivers1766400000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE receivers (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        registry_id uuid NOT NULL REFERENCES registries(id) ON DELETE CASCADE,
        name text NOT NULL,
        kind text NOT NULL,
        secret_hash text,
        secret_key_id text,
        secret_ciphertext text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (organization_id, name),
        CHECK (secret_hash IS NOT NULL OR (secret_key_id IS NOT NULL AND secret_ciphertext IS NOT NULL))
      );
      CREATE INDEX receivers_by_registry ON receivers (registry_id);

      CREATE TABLE receiver_deliveries (
        receiver_id uuid NOT NULL REFERENCES receivers(id) ON DELETE CASCADE,
        delivery_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (receiver_id, delivery_id)
      );
      CREATE INDEX receiver_deliveries_by_age ON receiver_deliveries (received_at);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE receiver_deliveries;
      DROP TABLE receivers;
    `);
  }
}
