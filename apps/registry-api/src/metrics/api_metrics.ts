import type { DomainGaugeReads } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import type { JetStreamManager } from "@charthouse/messaging";
import { jetStreamConsumerGauges } from "./jetstream_consumer_gauges.ts";
import { registryGauges } from "./registry_gauges.ts";
import { ScrapingRegistry } from "./scraping_registry.ts";
import { sseClientGauge } from "./sse_client_gauge.ts";
import { chartVersionGauges } from "./version_gauges.ts";

/** What registry-api's domain gauges read from. */
export interface ApiMetricsSources {
  /** The Postgres reads behind the domain gauges. */
  gauges: DomainGaugeReads;
  /** A JetStream manager whose requests time out (see jetstreamManager({ timeout })). */
  jsm: JetStreamManager;
  /** The /events streams open on this process (EventFeed.size). */
  sseClients: () => number;
  log: Logger;
  /** Time limit of each scrape-time read (Postgres statement_timeout included). */
  timeoutMs?: number;
  /** Scrapes closer together than this reuse the last reads (default 5 s; tests use 0). */
  reuseMs?: number;
}

/**
 * registry-api's /metrics registry: the domain gauges read on scrape (registries, versions,
 * sync times, JetStream consumer lag, SSE clients). The HTTP request metrics join it through
 * mountApi's `metrics`. One more gauge group is one line: `metrics.addCollector(factory)`.
 */
export function createApiMetrics(sources: ApiMetricsSources): ScrapingRegistry {
  const timeoutMs = sources.timeoutMs ?? 3_000;
  const metrics = new ScrapingRegistry({ log: sources.log, timeoutMs, ...(sources.reuseMs === undefined ? {} : { reuseMs: sources.reuseMs }) });
  // Postgres cancels the statement a little before the registry gives up on it.
  const query = { timeoutMs: Math.max(1, timeoutMs - 250) };
  metrics.addCollector(registryGauges(sources.gauges, query));
  metrics.addCollector(chartVersionGauges(sources.gauges, query));
  metrics.addCollector(jetStreamConsumerGauges(sources.jsm));
  metrics.addCollector(sseClientGauge(sources.sseClients));
  return metrics;
}
