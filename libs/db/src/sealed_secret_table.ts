import type { SqlClient } from "./sql_client.ts";

/** A sealed secret as stored: the id of the key that sealed it and its ciphertext. */
export interface StoredSecret {
  keyId: string;
  ciphertext: string;
}

/** A row's sealed secret, for key rotation. */
export interface SealedSecretRow {
  id: string;
  keyId: string;
  ciphertext: string;
}

/** A re-sealed secret to write only if the stored one is still `old` (compare-and-set). */
export interface SecretReplacement {
  id: string;
  old: StoredSecret;
  next: StoredSecret;
}

/** The tables whose rows hold a secret sealed for their id (secret_key_id, secret_ciphertext). */
export type SealedSecretTableName = "credentials" | "subscriptions" | "receivers";

/** The sealed secrets of one table, as key rotation reads and rewrites them (every organisation's; rows without one are left out). */
export class SealedSecretTable {
  readonly #sql: SqlClient;
  readonly #table: SealedSecretTableName;
  constructor(sql: SqlClient, table: SealedSecretTableName) {
    this.#sql = sql;
    this.#table = table;
  }

  /** How many secrets of the table are sealed under this key. */
  async countSealedUnder(keyId: string): Promise<number> {
    const [row] = await this.#sql.query<{ count: string }>(`SELECT count(*) AS count FROM ${this.#table} WHERE secret_key_id = $1`, [keyId]);
    return Number(row?.count ?? 0);
  }

  /** Up to `limit` secrets not sealed under this key, with ids after `afterId`, ordered by id. */
  async listSealedNotUnder(keyId: string, page: { afterId: string; limit: number }): Promise<SealedSecretRow[]> {
    return await this.#sql.query<SealedSecretRow>(
      `SELECT id, secret_key_id AS "keyId", secret_ciphertext AS ciphertext FROM ${this.#table}
        WHERE secret_key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [keyId, page.afterId, page.limit],
    );
  }

  /**
   * Writes re-sealed secrets in one statement, each only where the stored secret is still the
   * old one (the WHERE on the old key and ciphertext is the compare-and-set). Returns the ids written.
   */
  async replaceSealed(replacements: readonly SecretReplacement[]): Promise<string[]> {
    if (replacements.length === 0) return [];
    const rows = await this.#sql.query<{ id: string }>(
      `UPDATE ${this.#table} t SET secret_key_id = v.key_id, secret_ciphertext = v.ciphertext
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, old_key_id, old_ciphertext, key_id, ciphertext)
        WHERE t.id = v.id AND t.secret_key_id = v.old_key_id AND t.secret_ciphertext = v.old_ciphertext
        RETURNING t.id`,
      [
        replacements.map((r) => r.id),
        replacements.map((r) => r.old.keyId),
        replacements.map((r) => r.old.ciphertext),
        replacements.map((r) => r.next.keyId),
        replacements.map((r) => r.next.ciphertext),
      ],
    );
    return rows.map((row) => row.id);
  }
}
