import pg from "pg";
import { DataSource } from "typeorm";
import { UnavailableError } from "@charthouse/errors";
import { entitySchemas } from "./entities/mod.ts";
import { InitialSchema1732400000000 } from "./migrations/1732400000000_initial_schema.ts";

/** Every migration, oldest first. Schema changes are migrations only: never `synchronize`. */
export const migrations = [InitialSchema1732400000000];

// A fixed key for pg_advisory_lock: copies of services that start together migrate one at a time.
const MIGRATION_LOCK_KEY = 7_411_019;

/** Opens the database (creating it when missing) and applies pending migrations under a lock. */
export async function openDatabase(url: string, options: { poolSize?: number; migrate?: boolean } = {}): Promise<DataSource> {
  await createDatabaseIfMissing(url);
  const dataSource = new DataSource({
    type: "postgres",
    url,
    entities: entitySchemas,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new UnavailableError(`Cannot connect to Postgres at ${redact(url)}`, { code: "unavailable", cause: err });
  }
  if (options.migrate ?? true) {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
      await dataSource.runMigrations({ transaction: "each" });
    } finally {
      await runner.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  }
  return dataSource;
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((err: unknown) => {
        // Another copy created it at the same moment.
        if (!/already exists/.test(String(err))) throw err;
      });
    }
  } catch (err) {
    throw new UnavailableError(`Cannot reach Postgres at ${redact(url)} to create database "${name}"`, {
      code: "unavailable",
      cause: err,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
