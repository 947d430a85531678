import { reencrypt } from "./reencrypt.ts";
import type { SecretBox } from "./secret_box.ts";

/** A sealed secret as stored: the key that sealed it and its ciphertext. */
export interface StoredSealedSecret {
  keyId: string;
  ciphertext: string;
}

/** Where rotation reads and writes sealed secrets (@charthouse/db's CredentialRepository is one). */
export interface SealedSecretStore {
  /** How many secrets are sealed under this key. */
  countSealedUnder(keyId: string): Promise<number>;
  /** Up to `limit` secrets not sealed under this key, with ids after `afterId`, ordered by id. */
  listSealedNotUnder(keyId: string, page: { afterId: string; limit: number }): Promise<Array<StoredSealedSecret & { id: string }>>;
  /** Writes each `next` only where the stored secret is still `old` (compare-and-set); returns the ids written. */
  replaceSealed(replacements: ReadonlyArray<{ id: string; old: StoredSealedSecret; next: StoredSealedSecret }>): Promise<string[]>;
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

/**
 * Re-encrypts every credential not sealed under `box`'s current key, in batches by id. Each row is
 * written only if its sealed secret is still the one read (compare-and-set), so a secret replaced
 * through the API meanwhile is never overwritten, and the job is safe to run twice or concurrently.
 */
export async function rotateSecretKeys(store: SealedSecretStore, box: SecretBox, options: RotateSecretKeysOptions = {}): Promise<RotationCounts> {
  const batchSize = options.batchSize ?? 200;
  const counts: RotationCounts = { alreadyCurrent: await store.countSealedUnder(box.currentKeyId), reencrypted: 0, changedMeanwhile: 0, failed: [] };
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = await store.listSealedNotUnder(box.currentKeyId, { afterId: after, limit: batchSize });
    const last = rows.at(-1);
    if (last === undefined) break;
    after = last.id;
    const replacements: { id: string; old: StoredSealedSecret; next: StoredSealedSecret }[] = [];
    for (const row of rows) {
      try {
        const next = reencrypt({ keyId: row.keyId, ciphertext: row.ciphertext }, { credentialId: row.id, from: box, to: box });
        replacements.push({ id: row.id, old: { keyId: row.keyId, ciphertext: row.ciphertext }, next });
      } catch (err) {
        counts.failed.push({ id: row.id, reason: err instanceof Error ? err.message : String(err) });
      }
    }
    if (replacements.length > 0) {
      // One write per batch, compare-and-set on the old key and ciphertext.
      const written = await store.replaceSealed(replacements);
      counts.reencrypted += written.length;
      counts.changedMeanwhile += replacements.length - written.length;
    }
    options.onBatch?.(counts);
  }
  return counts;
}
