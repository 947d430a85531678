import { randomBytes } from "node:crypto";
import pg from "pg";
import { defaultDatabaseUrl } from "./test_database.ts";

/** A login role on the test PostgreSQL server that may hold only so many connections. */
export interface LimitedRole {
  /** The database URL it was made for, connecting as the role. */
  url: string;
  /** The role's name. */
  role: string;
  /** Drops the role. */
  drop(): Promise<void>;
}

/** Options of {@link createLimitedRole}. */
export interface CreateLimitedRoleOptions {
  /** The database to connect to as the role (default: DATABASE_URL, else {@link defaultDatabaseUrl}). */
  databaseUrl?: string;
  /** How many connections the role may hold at once; 0 refuses every one. */
  connectionLimit: number;
}

/**
 * Makes a login role with a CONNECTION LIMIT: Postgres answers the connection over the limit with
 * SQLSTATE 53300 (too_many_connections), as a server at max_connections answers under load,
 * without taking every other test's connections away.
 */
export async function createLimitedRole(options: CreateLimitedRoleOptions): Promise<LimitedRole> {
  const databaseUrl = options.databaseUrl ?? process.env["DATABASE_URL"] ?? defaultDatabaseUrl;
  // Roles belong to the whole server: a unique name keeps parallel runs apart.
  const role = `ch_limited_${randomBytes(6).toString("hex")}`;
  const limit = Math.max(0, Math.trunc(options.connectionLimit));
  // Made and dropped from the server's own database, which outlives the one the role is for.
  const serverUrl = new URL(databaseUrl);
  serverUrl.pathname = "/postgres";
  await asAdmin(serverUrl.toString(), `CREATE ROLE "${role}" LOGIN CONNECTION LIMIT ${limit}`);
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = "";
  return { url: url.toString(), role, drop: () => asAdmin(serverUrl.toString(), `DROP ROLE IF EXISTS "${role}"`) };
}

async function asAdmin(databaseUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query(statement);
  } finally {
    await client.end().catch(() => undefined);
  }
}
