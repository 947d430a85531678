import type { SqlClient } from "./sql_client.ts";

/**
 * Runs an insert-or-select statement until it yields the row's id. When another copy inserts
 * the same row at the same moment, ON CONFLICT DO NOTHING waits for it, but the statement's
 * snapshot predates that row: the next run of the statement sees it.
 */
export async function insertOrSelectId(sql: SqlClient, statement: string, params: readonly unknown[], what: string): Promise<string> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const id = (await sql.query<{ id: string }>(statement, params))[0]?.id;
    if (id) return id;
  }
  throw new Error(`Cannot create or find ${what}`);
}
