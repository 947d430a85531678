import { Gauge } from "prom-client";
import type { ScrapeCollectorFactory } from "./scraping_registry.ts";

/** charthouse_sse_clients: the /events streams this process holds open, read from `count` on scrape. */
export function sseClientGauge(count: () => number): ScrapeCollectorFactory {
  return (registry) => {
    const clients = new Gauge({
      name: "charthouse_sse_clients",
      help: "Clients connected to GET /api/v1/events on this process",
      registers: [registry],
    });
    return {
      name: "sse_clients",
      collect() {
        clients.set(count());
        return Promise.resolve();
      },
    };
  };
}
