import { archiveStoreLockKey, withSharedLocks, withTryLock, type SqlClient } from "@charthouse/db";
import type { ArchiveLocks } from "../handlers/download_chart.ts";

/**
 * The downloader's locks as Postgres advisory locks, shared by every copy of every service: the
 * exclusive `archive:<registry>:<digest>` lock, tried, never waited for; and the shared
 * `archive-store:<sha256>` lock that the storage sweep takes exclusive before it collects an archive.
 */
export function advisoryArchiveLocks(db: SqlClient): ArchiveLocks {
  return {
    downloadOnce: (registryId, digest, work) =>
      withTryLock(db, `archive:${registryId}:${digest}`, work, { shared: [archiveStoreLockKey(digest)] }),
    keepStored: (sha256, work) => withSharedLocks(db, [archiveStoreLockKey(sha256)], work),
  };
}
