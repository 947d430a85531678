/**
 * Postgres's side of a bench: the statements that took the most time in the bench's own
 * database, from pg_stat_statements. The extension must be loaded by the server
 * (`shared_preload_libraries`, see the README's Benchmarks section); without it the profile says
 * so and the bench goes on.
 */
import pg from "pg";

/** Forgets what the bench's database ran so far, so the profile covers only what follows. */
export async function resetStatements(databaseUrl: string): Promise<void> {
  await withStatements(databaseUrl, async (client) => {
    await client.query("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");
  });
}

/** The `limit` statements of the bench's database with the most execution time, as table rows. */
export async function topStatements(databaseUrl: string, limit = 8): Promise<string[]> {
  const lines = await withStatements(databaseUrl, async (client) => {
    const { rows } = await client.query<{ calls: string; total_ms: number; mean_ms: number; rows: string; query: string }>(
      `SELECT calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, rows,
              left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
         FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY total_exec_time DESC
        LIMIT $1`,
      [limit],
    );
    return [
      "| Postgres statement | calls | total (ms) | mean (ms) | rows |",
      "| --- | --- | --- | --- | --- |",
      ...rows.map((r) => `| \`${r.query.replaceAll("|", "\\|")}\` | ${r.calls} | ${r.total_ms.toFixed(0)} | ${r.mean_ms.toFixed(2)} | ${r.rows} |`),
    ];
  });
  return lines ?? ["(no Postgres statement profile: pg_stat_statements is not in shared_preload_libraries)"];
}

async function withStatements<T>(databaseUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'");
    if (!rows[0]?.setting.includes("pg_stat_statements")) return undefined;
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    return await use(client);
  } finally {
    await client.end();
  }
}
