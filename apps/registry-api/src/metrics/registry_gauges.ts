import type { DataSource } from "@charthouse/db";
import { Gauge } from "prom-client";
import { boundedQuery } from "./bounded_query.ts";
import type { ScrapeCollectorFactory } from "./scraping_registry.ts";

/** Every state a registry can be in: each is exported, 0 included, so alerts see a value. */
export const registryStates = ["pending", "syncing", "ok", "error", "disabled"] as const;

interface RegistryStateRow {
  state: string;
  registries: number;
  newest_success: number | null;
  oldest_success: number | null;
}

// One scan of registries for all three gauges. The oldest counts registries that sync on an
// interval and are not disabled; one that never succeeded counts from its creation, so a
// registry that has been failing since it was added still ages.
const registryStateSql = `
  SELECT state,
         count(*)::int AS registries,
         extract(epoch FROM max(last_success_at))::float8 AS newest_success,
         extract(epoch FROM min(coalesce(last_success_at, created_at))
           FILTER (WHERE sync_interval_seconds > 0 AND state <> 'disabled'))::float8 AS oldest_success
    FROM registries
   GROUP BY state`;

/**
 * charthouse_registries{state}, charthouse_last_successful_sync_timestamp_seconds and
 * charthouse_oldest_successful_sync_timestamp_seconds, over every organisation, from one query.
 */
export function registryGauges(db: DataSource, options: { timeoutMs: number }): ScrapeCollectorFactory {
  return (registry) => {
    const byState = new Gauge({
      name: "charthouse_registries",
      help: "Registries by state (pending, syncing, ok, error, disabled), over every organisation",
      labelNames: ["state"],
      registers: [registry],
    });
    const newest = new Gauge({
      name: "charthouse_last_successful_sync_timestamp_seconds",
      help: "Unix time of the newest successful sync of any registry (absent before the first one)",
      registers: [registry],
    });
    const oldest = new Gauge({
      name: "charthouse_oldest_successful_sync_timestamp_seconds",
      help: "Unix time of the oldest last successful sync among registries that sync on an interval (creation time for one that never succeeded; absent when there are none)",
      registers: [registry],
    });
    // Nothing is known before the first read: no series rather than a misleading 0.
    newest.remove();
    oldest.remove();
    return {
      name: "registries",
      async collect() {
        const rows = await boundedQuery<RegistryStateRow>(db, registryStateSql, options);
        const counts = new Map<string, number>(registryStates.map((state) => [state, 0]));
        for (const row of rows) counts.set(row.state, row.registries);
        byState.reset();
        for (const [state, count] of counts) byState.set({ state }, count);
        setOrRemove(newest, maxOf(rows.map((row) => row.newest_success)));
        setOrRemove(oldest, minOf(rows.map((row) => row.oldest_success)));
      },
    };
  };
}

function setOrRemove(gauge: Gauge, value: number | null): void {
  if (value === null) gauge.remove();
  else gauge.set(value);
}

function maxOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.max(...known);
}

function minOf(values: ReadonlyArray<number | null>): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : Math.min(...known);
}
