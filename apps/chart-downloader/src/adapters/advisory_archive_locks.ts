import { archiveStoreLockKey, lockBusy, withSharedLocks, type SqlClient } from "@charthouse/db";
import type { ArchiveLocks } from "../handlers/download_chart.ts";

/**
 * The download lock tried and, only when it is granted, the store lock held shared (waiting for
 * an exclusive holder), in one statement: one round trip to Postgres fewer per download. The
 * subquery holds a volatile call, so Postgres runs it once, before the CASE reads it.
 */
const tryDownloadLockStatement = `SELECT locked, CASE WHEN locked THEN pg_advisory_xact_lock_shared(hashtextextended($2, 0)) IS NULL END AS shared
   FROM (SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked) tried`;

/**
 * The downloader's locks as Postgres advisory locks, shared by every copy of every service: the
 * exclusive `archive:<registry>:<digest>` lock, tried, never waited for; and the shared
 * `archive-store:<sha256>` lock that the storage sweep takes exclusive before it collects an archive.
 * Both are a transaction's, released when the work ends, even if the process dies.
 */
export function advisoryArchiveLocks(db: SqlClient): ArchiveLocks {
  return {
    downloadOnce: (registryId, digest, work) =>
      db.transaction(async (tx) => {
        const [row] = await tx.query<{ locked: boolean }>(tryDownloadLockStatement, [`archive:${registryId}:${digest}`, archiveStoreLockKey(digest)], {
          prepareAs: "archive_locks.tryDownload",
        });
        return row?.locked === true ? await work() : lockBusy;
      }),
    keepStored: (sha256, work) => withSharedLocks(db, [archiveStoreLockKey(sha256)], work),
  };
}
