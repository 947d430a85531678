import { DataSource } from "typeorm";
import { UnavailableError } from "@charthouse/errors";
import { entitySchemas } from "./entities/mod.ts";
import { ensureSchema } from "./schema.ts";
import type { SqlClient } from "./sql_client.ts";
import { queryRows } from "./query_rows.ts";

/** Opens the database through TypeORM (the API's entity-based reads), after ensureSchema(). */
export async function openDatabase(url: string, options: { poolSize?: number } = {}): Promise<DataSource> {
  await ensureSchema(url);
  const dataSource = new DataSource({
    type: "postgres",
    url,
    entities: entitySchemas,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new UnavailableError("Cannot connect to Postgres", { code: "unavailable", cause: err });
  }
  return dataSource;
}

/** The SqlClient view of a TypeORM DataSource, so the API shares the services' repositories. */
export function sqlClientOf(dataSource: DataSource): SqlClient {
  return {
    query: (sql, params = []) => queryRows(dataSource, sql, [...params]),
    transaction: (work) =>
      dataSource.transaction((manager) =>
        work({
          query: (sql, params = []) => queryRows(manager, sql, [...params]),
          transaction: () => Promise.reject(new Error("Nested transactions are not supported")),
          close: () => Promise.resolve(),
        }),
      ),
    close: () => dataSource.destroy(),
  };
}
