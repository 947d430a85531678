import type { SqlClient } from "./sql_client.ts";

/** A delivery to record: one event for one subscription, its body built once so every retry sends the same. */
export interface NewWebhookDelivery {
  id: string;
  subscriptionId: string;
  /** What makes the event itself unique (the same event replayed records nothing). */
  eventKey: string;
  eventType: string;
  event: object;
}

/** A delivery as the API lists it. */
export interface WebhookDeliveryRow {
  id: string;
  event_type: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A delivery a notifier has claimed: what to send, where, and the subscription's sealed secret. */
export interface ClaimedWebhookDelivery {
  id: string;
  subscriptionId: string;
  event: unknown;
  /** Attempts so far, this one included. */
  attempts: number;
  createdAt: Date;
  url: string;
  format: string;
  secretKeyId: string;
  secretCiphertext: string;
}

/** What one attempt ended with. */
export interface WebhookAttemptResult {
  statusCode: number | null;
  error: string | null;
}

/** Webhook deliveries: recorded by the notifier from events, claimed when due, and listed by the API. */
export class WebhookDeliveryRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Records deliveries due now, in one statement; one already recorded for its subscription and event is kept. Returns how many are new. */
  async record(deliveries: readonly NewWebhookDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const rows = await this.#sql.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (id, subscription_id, event_key, event_type, event, next_attempt_at)
       SELECT v.id, v.subscription_id, v.event_key, v.event_type, v.event, now()
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[]) AS v(id, subscription_id, event_key, event_type, event)
         JOIN subscriptions s ON s.id = v.subscription_id
       ON CONFLICT (subscription_id, event_key) DO NOTHING
       RETURNING id`,
      [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.eventKey),
        deliveries.map((d) => d.eventType),
        deliveries.map((d) => JSON.stringify(d.event)),
      ],
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due deliveries for one attempt each: counts the attempt and leases the
   * row for `leaseMs` (its next_attempt_at moves past the lease), so no other copy sends it
   * meanwhile and a copy that dies mid-attempt leaves it to be claimed again when the lease ends.
   */
  async claimDue(limit: number, leaseMs: number): Promise<ClaimedWebhookDelivery[]> {
    return await this.#sql.query<ClaimedWebhookDelivery>(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE webhook_deliveries d
          SET attempts = d.attempts + 1, next_attempt_at = now() + $2 * interval '1 millisecond', updated_at = now()
         FROM due, subscriptions s
        WHERE d.id = due.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id AS "subscriptionId", d.event, d.attempts, d.created_at AS "createdAt", s.url, s.format,
                 s.secret_key_id AS "secretKeyId", s.secret_ciphertext AS "secretCiphertext"`,
      [limit, leaseMs],
    );
  }

  /** Ends an attempt: delivered, to be retried at `retryAt`, or (retryAt null) failed for good. */
  async finishAttempt(id: string, outcome: WebhookAttemptResult & { delivered: boolean; retryAt: Date | null }): Promise<void> {
    const status = outcome.delivered ? "delivered" : outcome.retryAt === null ? "failed" : "pending";
    await this.#sql.query(
      `UPDATE webhook_deliveries
          SET status = $2, last_status_code = $3, last_error = $4, next_attempt_at = $5, updated_at = now()
        WHERE id = $1`,
      [id, status, outcome.statusCode, outcome.error, status === "pending" ? outcome.retryAt : null],
    );
  }

  /** A page of one subscription's deliveries, newest first; empty when the subscription is not the organisation's. */
  async listForSubscription(
    organizationId: string,
    subscriptionId: string,
    page: { offset: number; limit: number },
  ): Promise<WebhookDeliveryRow[]> {
    return await this.#sql.query<WebhookDeliveryRow>(
      `SELECT d.id, d.event_type, d.status, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at
         FROM webhook_deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE s.organization_id = $1 AND d.subscription_id = $2
        ORDER BY d.created_at DESC, d.id DESC OFFSET $3 LIMIT $4`,
      [organizationId, subscriptionId, page.offset, page.limit],
    );
  }

  /** One delivery of the organisation's subscription, or null. */
  async get(organizationId: string, id: string): Promise<WebhookDeliveryRow | null> {
    const rows = await this.#sql.query<WebhookDeliveryRow>(
      `SELECT d.id, d.event_type, d.status, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at
         FROM webhook_deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE s.organization_id = $1 AND d.id = $2`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }
}
