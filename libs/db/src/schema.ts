import pg from "pg";
import { UnavailableError } from "@charthouse/errors";
import { InitialSchema1732400000000 } from "./migrations/1732400000000_initial_schema.ts";
import { OciTracking1764000000000 } from "./migrations/1764000000000_oci_tracking.ts";
import { ApiTokenExpiry1765000000000 } from "./migrations/1765000000000_api_token_expiry.ts";
import { DurableDelivery1766000000000 } from "./migrations/1766000000000_durable_delivery.ts";
import { ArchiveLifecycle1766100000000 } from "./migrations/1766100000000_archive_lifecycle.ts";
import { HelmIndexes1766200000000 } from "./migrations/1766200000000_helm_indexes.ts";
import { Receivers1766400000000 } from "./migrations/1766400000000_receivers.ts";
import { WebhookSubscriptions1766500000000 } from "./migrations/1766500000000_webhook_subscriptions.ts";
import { ChartSearchTrigrams1766600000000 } from "./migrations/1766600000000_chart_search_trigrams.ts";
import { ChartSearchPendingList1766700000000 } from "./migrations/1766700000000_chart_search_pending_list.ts";
import { isDatabaseUnavailable } from "./pg_errors.ts";

/** Every migration, oldest first. Schema changes are migrations only: never `synchronize`. */
export const migrations = [
  InitialSchema1732400000000,
  OciTracking1764000000000,
  ApiTokenExpiry1765000000000,
  DurableDelivery1766000000000,
  ArchiveLifecycle1766100000000,
  HelmIndexes1766200000000,
  Receivers1766400000000,
  WebhookSubscriptions1766500000000,
  ChartSearchTrigrams1766600000000,
  ChartSearchPendingList1766700000000,
];

// A fixed key for pg_advisory_lock: copies of services that start together migrate one at a time.
const MIGRATION_LOCK_KEY = 7_411_019;

/**
 * Makes sure the database exists and its schema is current, applying pending migrations under
 * an advisory lock. TypeORM, which runs them, is loaded only then (registry-api does it).
 */
export async function ensureSchema(url: string): Promise<void> {
  await createDatabaseIfMissing(url);
  if (await isCurrent(url)) return;
  try {
    await migrate(url);
  } catch (err) {
    // TypeORM passes pg's errors on (QueryFailedError keeps their SQLSTATE): a migration that
    // fails for its SQL stays that error.
    if (isDatabaseUnavailable(err)) throw new UnavailableError(`Cannot migrate the database at ${redact(url)}`, { code: "unavailable", cause: err });
    throw err;
  }
}

async function migrate(url: string): Promise<void> {
  const { DataSource } = await import("typeorm");
  const dataSource = new DataSource({ type: "postgres", url, migrations, migrationsRun: false, synchronize: false, logging: false });
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: "each" });
  } finally {
    await runner.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
    await dataSource.destroy();
  }
}

/**
 * Waits until another service (registry-api) has brought the schema up to date, so the worker
 * services never load TypeORM (about 33 MB each). Fails after `timeoutMs` saying what to run.
 */
export async function waitForSchema(url: string, options: { timeoutMs?: number; onWait?: () => void } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let told = false;
  for (;;) {
    try {
      if (await isCurrent(url)) return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) {
      throw new UnavailableError(
        "The database schema is not current: start registry-api, which applies the migrations, or run `npm run migrate`",
        { code: "unavailable" },
      );
    }
    if (!told) options.onWait?.();
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function isCurrent(url: string): Promise<boolean> {
  return await withClient(url, async (client) => {
    const table = await client.query("SELECT to_regclass('public.migrations') IS NOT NULL AS present");
    if (!(table.rows[0] as { present: boolean }).present) return false;
    const applied = new Set((await client.query("SELECT name FROM migrations")).rows.map((r: { name: string }) => r.name));
    return migrations.every((m) => applied.has(m.name));
  });
}

async function createDatabaseIfMissing(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  await withClient(admin.toString(), async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`).catch((err: unknown) => {
        // Another copy created it at the same moment.
        if (!/already exists/.test(String(err))) throw err;
      });
    }
  });
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await work(client);
  } catch (err) {
    const message = `Cannot prepare the database at ${redact(url)}`;
    if (isDatabaseUnavailable(err)) throw new UnavailableError(message, { code: "unavailable", cause: err });
    // Refused credentials or a missing right is a setting to fix, not a moment to wait for.
    throw new Error(`${message}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
