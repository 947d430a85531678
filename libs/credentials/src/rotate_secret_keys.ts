import { reencrypt } from "./reencrypt.ts";
import type { SecretBox } from "./secret_box.ts";

/** The one thing rotation needs of Postgres: a statement and its rows (a @charthouse/db SqlClient fits). */
export interface RotationSql {
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Options of rotateSecretKeys. */
export interface RotateSecretKeysOptions {
  /** Rows read and written per statement. Default 200. */
  batchSize?: number;
  /** Told after each batch, for progress output. */
  onBatch?: (progress: RotationCounts) => void;
}

/** What a rotation did. */
export interface RotationCounts {
  /** Credentials already under the current key when the run started. */
  alreadyCurrent: number;
  /** Credentials re-encrypted under the current key by this run. */
  reencrypted: number;
  /** Credentials changed by someone else (the API, another run) between read and write: left as they are now. */
  changedMeanwhile: number;
  /** Credentials that could not be opened with any configured key, by id with the reason. */
  failed: { id: string; reason: string }[];
}

interface SealedRow {
  id: string;
  secret_key_id: string;
  secret_ciphertext: string;
}

/**
 * Re-encrypts every credential not sealed under `box`'s current key, in batches by id. Each row is
 * written only if its sealed secret is still the one read (compare-and-set), so a secret replaced
 * through the API meanwhile is never overwritten, and the job is safe to run twice or concurrently.
 */
export async function rotateSecretKeys(sql: RotationSql, box: SecretBox, options: RotateSecretKeysOptions = {}): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 200;
  const [current] = await sql.query<{ count: string }>("SELECT count(*) AS count FROM credentials WHERE secret_key_id = $1", [box.currentKeyId]);
  const counts: RotationCounts = { alreadyCurrent: Number(current?.count ?? 0), reencrypted: 0, changedMeanwhile: 0, failed: [] };
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await sql.query<SealedRow>(
      `SELECT id, secret_key_id, secret_ciphertext FROM credentials
        WHERE secret_key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [box.currentKeyId, after, batchSize],
    );
    const last = rows.at(-1);
    if (last === undefined) break;
    after = last.id;
    const updates: { row: SealedRow; keyId: string; ciphertext: string }[] = [];
    for (const row of rows) {
      try {
        const sealed = reencrypt({ keyId: row.secret_key_id, ciphertext: row.secret_ciphertext }, { credentialId: row.id, from: box, to: box });
        updates.push({ row, keyId: sealed.keyId, ciphertext: sealed.ciphertext });
      } catch (err) {
        counts.failed.push({ id: row.id, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (updates.length > 0) {
      // One statement per batch; the WHERE on the old key and ciphertext is the compare-and-set.
      const written = await sql.query<{ id: string }>(
        `UPDATE credentials c SET secret_key_id = v.key_id, secret_ciphertext = v.ciphertext
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, old_key_id, old_ciphertext, key_id, ciphertext)
          WHERE c.id = v.id AND c.secret_key_id = v.old_key_id AND c.secret_ciphertext = v.old_ciphertext
          RETURNING c.id`,
        [
          updates.map((u) => u.row.id),
          updates.map((u) => u.row.secret_key_id),
          updates.map((u) => u.row.secret_ciphertext),
          updates.map((u) => u.keyId),
          updates.map((u) => u.ciphertext),
        ],
      );
      counts.reencrypted += written.length;
      counts.changedMeanwhile += updates.length - written.length;
    }
    options.onBatch?.(counts);
  }
  return counts;
}
