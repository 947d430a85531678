import type { Logger } from "@charthouse/logging";
import { Gauge, Registry } from "prom-client";

/**
 * Gauges whose values live elsewhere (Postgres, JetStream, this process) and are read when
 * /metrics is scraped. `collect` sets its gauges; it is given up on at the registry's time limit.
 */
export interface ScrapeCollector {
  /** A short fixed name: the `collector` label of charthouse_metrics_collector_success. */
  readonly name: string;
  /** Reads the current values and sets the gauges; `signal` aborts at the time limit. */
  collect(signal: AbortSignal): Promise<void>;
}

/** Makes a collector whose gauges are registered in `registry`: what addCollector() takes. */
export type ScrapeCollectorFactory = (registry: Registry) => ScrapeCollector;

/** Time limit and reuse of scrape-time reads. */
export interface ScrapingRegistryOptions {
  log: Logger;
  /** A collector that has not finished after this long is reported failed; its gauges keep their last values. */
  timeoutMs?: number;
  /** Scrapes closer together than this (several Prometheus servers) reuse the last reads. */
  reuseMs?: number;
}

/**
 * A prom-client Registry that runs its collectors (in parallel, each bounded in time) before it
 * renders /metrics. One more collector is one line: `registry.addCollector(factory)`.
 */
export class ScrapingRegistry extends Registry {
  readonly #collectors: ScrapeCollector[] = [];
  readonly #failing = new Set<string>();
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #reuseMs: number;
  readonly #success: Gauge;
  readonly #duration: Gauge;
  #refresh: Promise<void> | null = null;
  #refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(options: ScrapingRegistryOptions) {
    super();
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs ?? 3_000;
    this.#reuseMs = options.reuseMs ?? 5_000;
    this.#success = new Gauge({
      name: "charthouse_metrics_collector_success",
      help: "1 when the last scrape-time read of this collector succeeded within its time limit, else 0",
      labelNames: ["collector"],
      registers: [this],
    });
    this.#duration = new Gauge({
      name: "charthouse_metrics_collector_duration_seconds",
      help: "Time the last scrape-time read of this collector took",
      labelNames: ["collector"],
      registers: [this],
    });
  }

  /** Adds a collector; its gauges are registered here. Returns it (tests call collect directly). */
  addCollector(factory: ScrapeCollectorFactory): ScrapeCollector {
    const collector = factory(this);
    if (this.#collectors.some((c) => c.name === collector.name)) throw new Error(`A metrics collector named "${collector.name}" is already registered`);
    this.#collectors.push(collector);
    return collector;
  }

  /** Runs every collector (or reuses a recent run), then renders the Prometheus text. */
  override async metrics(): Promise<string> {
    await this.refresh();
    return await super.metrics();
  }

  /** Runs every collector once; concurrent callers share one run, and a run newer than `reuseMs` is reused. */
  async refresh(): Promise<void> {
    if (this.#refresh === null && performance.now() - this.#refreshedAt < this.#reuseMs) return;
    this.#refresh ??= Promise.all(this.#collectors.map((collector) => this.#collectOne(collector))).then(() => {
      this.#refreshedAt = performance.now();
      this.#refresh = null;
    });
    await this.#refresh;
  }

  async #collectOne(collector: ScrapeCollector): Promise<void> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
    });
    const started = performance.now();
    const labels = { collector: collector.name };
    try {
      await Promise.race([collector.collect(controller.signal), timedOut]);
      this.#success.set(labels, 1);
      if (this.#failing.delete(collector.name)) this.#log.info({ collector: collector.name }, "Metrics collector reads again");
    } catch (err) {
      this.#success.set(labels, 0);
      // Logged when it starts failing, not on every scrape.
      if (!this.#failing.has(collector.name)) {
        this.#failing.add(collector.name);
        const message = err instanceof Error ? err.message : String(err);
        this.#log.warn({ collector: collector.name, reason: message }, "Metrics collector cannot read; its gauges keep their last values");
      }
    } finally {
      clearTimeout(timer);
      this.#duration.set(labels, (performance.now() - started) / 1000);
    }
  }
}
