import pg from "pg";
import { InputError, UnavailableError } from "@charthouse/errors";
import { isDatabaseUnavailable } from "./pg_errors.ts";

/** What repositories need from Postgres: rows from SQL, and transactions. */
export interface SqlClient {
  /** Runs one statement and returns its rows (RETURNING rows for writes). */
  query<Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Runs `work` in a transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/** How one statement runs. */
export interface QueryOptions {
  /**
   * Prepare the statement under this name on each connection and reuse it: Postgres then plans
   * it once rather than on every call, which for a hot, short read costs more than running it.
   * One name is one SQL text, always.
   */
  prepareAs?: string;
}

/**
 * A SqlClient over a plain pg pool: what every service's repositories run on. TypeORM (about
 * 33 MB per process) is loaded only by ensureSchema(), to run the migrations.
 */
export function createSqlClient(url: string, options: { poolSize?: number } = {}): SqlClient {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
  // An idle connection that breaks (Postgres restarted) must not crash the process.
  pool.on("error", () => undefined);
  return {
    async query<Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<Row[]> {
      return (await run(() => pool.query(statement(sql, params, options)))).rows as Row[];
    },
    async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
      const client = await run(() => pool.connect());
      // A checked-out connection that breaks (Postgres restarted) emits 'error': without a
      // listener that would end the process. The failing query rejects and says what happened.
      const ignoreBrokenConnection = (): void => undefined;
      client.on("error", ignoreBrokenConnection);
      try {
        await run(() => client.query("BEGIN"));
        const result = await work(clientOf(client));
        await run(() => client.query("COMMIT"));
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.off("error", ignoreBrokenConnection);
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function clientOf(client: pg.PoolClient): SqlClient {
  return {
    async query<Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<Row[]> {
      return (await run(() => client.query(statement(sql, params, options)))).rows as Row[];
    },
    transaction: () => Promise.reject(new Error("Nested transactions are not supported")),
    close: () => Promise.resolve(),
  };
}

function statement(sql: string, params: readonly unknown[], options: QueryOptions): pg.QueryConfig {
  return options.prepareAs === undefined ? { text: sql, values: [...params] } : { name: options.prepareAs, text: sql, values: [...params] };
}

/**
 * Postgres that cannot serve us now (refusing connections, starting up, connection lost) becomes
 * UnavailableError (transient): the API answers 503, a message is retried later.
 */
async function run<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (isDatabaseUnavailable(err)) {
      throw new UnavailableError("Postgres is unavailable", { code: "unavailable", cause: err });
    }
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : "";
    // Text Postgres cannot store (a NUL byte, invalid UTF-8) will not store on a retry either.
    if (code === "22021" || code === "22P05") {
      throw new InputError(`Cannot store text that holds a NUL byte or invalid UTF-8 (${message.replaceAll("\u0000", "")})`, {
        code: "invalid_input",
        cause: err,
      });
    }
    throw err;
  }
}

/** Checks that Postgres answers a trivial statement (readiness probes). */
export async function pingDatabase(sql: SqlClient): Promise<void> {
  await sql.query("SELECT 1");
}
