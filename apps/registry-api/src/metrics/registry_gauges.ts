import type { DomainGaugeReads } from "@charthouse/db";
import { Gauge } from "prom-client";
import type { ScrapeCollectorFactory } from "./scraping_registry.ts";

/** Every state a registry can be in: each is exported, 0 included, so alerts see a value. */
export const registryStates = ["pending", "syncing", "ok", "error", "disabled"] as const;

/**
 * charthouse_registries{state}, charthouse_last_successful_sync_timestamp_seconds and
 * charthouse_oldest_successful_sync_timestamp_seconds, over every organisation, from one query.
 */
export function registryGauges(reads: DomainGaugeReads, options: { timeoutMs: number }): ScrapeCollectorFactory {
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
        const rows = await reads.registryStates(options);
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
