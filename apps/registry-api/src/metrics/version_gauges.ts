import type { DomainGaugeReads } from "@charthouse/db";
import { Gauge } from "prom-client";
import type { ScrapeCollectorFactory } from "./scraping_registry.ts";

/** Every state of a chart version: each is exported, 0 included. */
export const chartVersionStates = ["discovered", "downloaded", "ready", "failed", "removed"] as const;

/** charthouse_chart_versions{state}, over every organisation, from one GROUP BY. */
export function chartVersionGauges(reads: DomainGaugeReads, options: { timeoutMs: number }): ScrapeCollectorFactory {
  return (registry) => {
    const byState = new Gauge({
      name: "charthouse_chart_versions",
      help: "Chart versions by state (discovered, downloaded, ready, failed, removed), over every organisation",
      labelNames: ["state"],
      registers: [registry],
    });
    return {
      name: "chart_versions",
      async collect() {
        const rows = await reads.chartVersionStates(options);
        const counts = new Map<string, number>(chartVersionStates.map((state) => [state, 0]));
        for (const row of rows) counts.set(row.state, row.versions);
        byState.reset();
        for (const [state, count] of counts) byState.set({ state }, count);
      },
    };
  };
}
