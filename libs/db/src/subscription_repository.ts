import { NotFoundError } from "@charthouse/errors";
import type { StoredSecret } from "./sealed_secret_table.ts";
import type { KeysetSlice } from "./keyset_slice.ts";
import type { SqlClient } from "./sql_client.ts";

/** A subscription's public columns (never its secret). */
export interface SubscriptionRow {
  id: string;
  name: string;
  url: string;
  events: string[];
  registry_id: string | null;
  chart: string | null;
  version_range: string | null;
  include_prereleases: boolean;
  format: string;
  created_at: Date;
}

/** A subscription ready to store, its secret already sealed for its id. */
export interface NewSubscription {
  id: string;
  name: string;
  url: string;
  events: readonly string[];
  registryId: string | null;
  chart: string | null;
  versionRange: string | null;
  includePrereleases: boolean;
  format: string;
  secret: StoredSecret;
}

const publicColumns = "id, name, url, events, registry_id, chart, version_range, include_prereleases, format, created_at";

/** Watch rules: what the API manages and what the notifier matches events against. */
export class SubscriptionRepository {
  readonly #sql: SqlClient;
  constructor(sql: SqlClient) {
    this.#sql = sql;
  }

  /** Stores a subscription. */
  async insert(organizationId: string, subscription: NewSubscription): Promise<void> {
    await this.#sql.query(
      `INSERT INTO subscriptions (id, organization_id, name, url, events, registry_id, chart, version_range, include_prereleases, format,
                                  secret_key_id, secret_ciphertext)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        subscription.id,
        organizationId,
        subscription.name,
        subscription.url,
        subscription.events,
        subscription.registryId,
        subscription.chart,
        subscription.versionRange,
        subscription.includePrereleases,
        subscription.format,
        subscription.secret.keyId,
        subscription.secret.ciphertext,
      ],
    );
  }

  /** A slice of an organisation's subscriptions, ordered by name then id. */
  async list(organizationId: string, slice: KeysetSlice): Promise<SubscriptionRow[]> {
    const { after } = slice;
    return await this.#sql.query<SubscriptionRow>(
      `SELECT ${publicColumns} FROM subscriptions
        WHERE organization_id = $1 AND ($3::text IS NULL OR (name, id) > ($3, $4::uuid))
        ORDER BY name, id LIMIT $2`,
      [organizationId, slice.limit, after?.name ?? null, after?.id ?? null],
    );
  }

  /** One subscription of the organisation, or null; another organisation's is null. */
  async get(organizationId: string, id: string): Promise<SubscriptionRow | null> {
    const rows = await this.#sql.query<SubscriptionRow>(`SELECT ${publicColumns} FROM subscriptions WHERE organization_id = $1 AND id = $2`, [
      organizationId,
      id,
    ]);
    return rows[0] ?? null;
  }

  /** Deletes a subscription and its deliveries. */
  async delete(organizationId: string, id: string): Promise<void> {
    const rows = await this.#sql.query<{ id: string }>("DELETE FROM subscriptions WHERE organization_id = $1 AND id = $2 RETURNING id", [
      organizationId,
      id,
    ]);
    if (rows.length === 0) throw new NotFoundError(`No subscription with id ${id}`);
  }

  /**
   * The subscriptions that may want an event of this type on this registry: the organisation's,
   * on that registry or on any, that existed when the event happened. Chart and version rules are
   * the caller's to apply.
   */
  async candidates(organizationId: string, event: { registryId: string; type: string; at: Date }): Promise<SubscriptionRow[]> {
    return await this.#sql.query<SubscriptionRow>(
      `SELECT ${publicColumns} FROM subscriptions
        WHERE organization_id = $1 AND (registry_id IS NULL OR registry_id = $2) AND $3 = ANY(events) AND created_at <= $4`,
      [organizationId, event.registryId, event.type, event.at],
      // Asked for every event the notifier reads, mostly answering none: planned once per connection.
      { prepareAs: "subscriptions.candidates" },
    );
  }
}
