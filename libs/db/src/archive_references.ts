import { archiveStoreLockKey } from "./advisory_lock.ts";
import type { SqlClient } from "./sql_client.ts";

/** What became of one archive that collectArchive() was asked to delete. */
export type ArchiveCollection = "deleted" | "referenced" | "busy" | "gone";

// A version references an archive when it stores it (any state but a tombstone), or when it is
// waiting for a download whose published digest is that archive's sha256.
const referencedBy = (sha256: string): string => `EXISTS (SELECT 1 FROM chart_versions v
         WHERE v.archive_sha256 = ${sha256} AND v.state <> 'removed')
    OR EXISTS (SELECT 1 FROM chart_versions v WHERE v.digest = ${sha256} AND v.state = 'discovered')`;

/**
 * Which stored archives chart versions still need, and the one safe way to delete one that none
 * does: under the exclusive `archive-store:<sha256>` transaction lock that every download holds
 * shared while it checks, stores and records the archive, with the references checked again.
 */
export class ArchiveReferences {
  readonly #db: SqlClient;
  constructor(db: SqlClient) {
    this.#db = db;
  }

  /** The sha256s of `candidates` that no version references (one query for the whole list). */
  async unreferenced(candidates: readonly string[]): Promise<string[]> {
    if (candidates.length === 0) return [];
    const rows = await this.#db.query<{ sha256: string }>(
      `SELECT c.sha256 FROM unnest($1::text[]) AS c(sha256) WHERE NOT (${referencedBy("c.sha256")})`,
      [candidates],
    );
    return rows.map((row) => row.sha256);
  }

  /**
   * Deletes one archive through `remove` if, under the exclusive lock, no version references it.
   * `busy` when a download (or another sweep) holds the lock: it is left for the next sweep.
   * `remove` answers false when the archive was already gone.
   */
  async collectArchive(sha256: string, remove: () => Promise<boolean>): Promise<ArchiveCollection> {
    return await this.#db.transaction(async (tx) => {
      const [lock] = await tx.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked",
        [archiveStoreLockKey(sha256)],
      );
      if (!lock?.locked) return "busy";
      const [check] = await tx.query<{ referenced: boolean }>(`SELECT (${referencedBy("$1::text")}) AS referenced`, [sha256]);
      if (check?.referenced !== false) return "referenced";
      return (await remove()) ? "deleted" : "gone";
    });
  }
}
