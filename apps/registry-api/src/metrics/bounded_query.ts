import { queryRows, type DataSource } from "@charthouse/db";

/**
 * Runs one read-only statement that Postgres itself cancels after `timeoutMs` (statement_timeout,
 * local to its own transaction), so a slow scrape-time query never holds a connection for long.
 */
export async function boundedQuery<Row>(db: DataSource, sql: string, options: { timeoutMs: number }): Promise<Row[]> {
  const timeoutMs = Math.max(1, Math.floor(options.timeoutMs));
  return await db.transaction("READ COMMITTED", async (manager) => {
    await manager.query(`SET LOCAL statement_timeout = ${timeoutMs}`);
    return await queryRows<Row>(manager, sql);
  });
}
