import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Watch rules and their webhook deliveries. A subscription's secret is sealed like a credential's
 * (AES-256-GCM, bound to the subscription's id). A delivery is one event for one subscription
 * (unique per subscription and event, so a replayed event records nothing twice); it stays
 * `pending` with its next_attempt_at until it is delivered or has failed for good, so retries
 * survive a notifier crash, and every copy of the notifier claims due ones with SKIP LOCKED.
 */
export class WebhookSubscriptions1766500000000 implements MigrationInterface {
  name = "WebhookSubscriptions1766500000000";

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
        name text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        registry_id uuid REFERENCES registries(id) ON DELETE CASCADE,
        chart text,
        version_range text,
        include_prereleases boolean NOT NULL DEFAULT false,
        format text NOT NULL DEFAULT 'cloudevents' CHECK (format IN ('cloudevents', 'slack')),
        secret_key_id text NOT NULL,
        secret_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX subscriptions_by_organization_name ON subscriptions (organization_id, name, id);
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        event_key text NOT NULL,
        event_type text NOT NULL,
        event jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subscription_id, event_key)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at DESC, id DESC);
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DROP TABLE webhook_deliveries;
      DROP TABLE subscriptions;
    `);
  }
}
