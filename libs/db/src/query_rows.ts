import { DataSource, type EntityManager } from "typeorm";

/**
 * Runs SQL and returns its rows. TypeORM's plain query() answers UPDATE ... RETURNING with
 * [rows, count] but SELECT with rows; the structured result is the same for every statement.
 */
export async function queryRows<Row>(on: DataSource | EntityManager, sql: string, params: unknown[] = []): Promise<Row[]> {
  const own = on instanceof DataSource;
  const runner = own ? on.createQueryRunner() : on.queryRunner;
  if (!runner) throw new Error("queryRows() needs a DataSource or a transaction's EntityManager");
  try {
    const result = await runner.query(sql, params, true);
    return result.records as Row[];
  } finally {
    if (own) await runner.release();
  }
}
