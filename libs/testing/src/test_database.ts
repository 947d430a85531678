import { randomBytes } from "node:crypto";
import pg from "pg";

/** Where the shared PostgreSQL is when DATABASE_URL is not set. */
export const defaultDatabaseUrl = "postgres://postgres@127.0.0.1:5432/postgres";

/** A database made for one test. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** The database's name. */
  name: string;
  /** Drops the database, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

/** Options of {@link createTestDatabase}. */
export interface CreateTestDatabaseOptions {
  /** A URL of the server to create it on (default: DATABASE_URL, else {@link defaultDatabaseUrl}). */
  serverUrl?: string;
}

/** Creates a uniquely named, empty database on the test PostgreSQL server. */
export async function createTestDatabase(
  prefix: string,
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const serverUrl = options.serverUrl ?? process.env["DATABASE_URL"] ?? defaultDatabaseUrl;
  const name = uniqueDatabaseName(prefix);
  await onServer(serverUrl, `CREATE DATABASE "${name}"`, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, `drop database "${name}"`),
  };
}

/** Makes a database name from `prefix`, a timestamp and random bytes: lowercase, at most 63 bytes. */
export function uniqueDatabaseName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "test";
  const suffix = `${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  return `${clean.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

async function onServer(serverUrl: string, sql: string, what: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
    await client.query(sql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`Cannot ${what} on ${redact(serverUrl)}: ${message}`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
