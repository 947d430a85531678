import { createLogger } from "@charthouse/logging";
import { Gauge } from "prom-client";
import { describe, expect, it } from "vitest";
import { ScrapingRegistry, type ScrapeCollectorFactory } from "./scraping_registry.ts";

const log = createLogger("scraping-registry-test", { level: "silent" });

/** A collector whose gauge `name` takes the value `read` returns on each scrape. */
function gaugeOf(name: string, read: (signal: AbortSignal) => Promise<number>): ScrapeCollectorFactory & { calls: number } {
  const factory = Object.assign(
    (registry: Parameters<ScrapeCollectorFactory>[0]) => {
      const gauge = new Gauge({ name, help: `test gauge ${name}`, registers: [registry] });
      return {
        name,
        async collect(signal: AbortSignal) {
          factory.calls++;
          gauge.set(await read(signal));
        },
      };
    },
    { calls: 0 },
  );
  return factory;
}

describe("ScrapingRegistry", () => {
  it("metrics() reads every collector first and reports each one's success", async () => {
    const metrics = new ScrapingRegistry({ log, reuseMs: 0 });
    let value = 1;
    metrics.addCollector(gaugeOf("test_first", () => Promise.resolve(value)));
    metrics.addCollector(gaugeOf("test_second", () => Promise.resolve(value * 10)));
    expect(await metrics.metrics()).toMatch(/^test_first 1$/m);
    value = 2;
    const text = await metrics.metrics();
    expect(text).toMatch(/^test_first 2$/m);
    expect(text).toMatch(/^test_second 20$/m);
    expect(text).toMatch(/^charthouse_metrics_collector_success\{collector="test_first"\} 1$/m);
  });

  it("gives up on a collector at its time limit, keeps its last value and says it failed", async () => {
    const metrics = new ScrapingRegistry({ log, timeoutMs: 100, reuseMs: 0 });
    let hang = false;
    let aborted = false;
    metrics.addCollector(
      gaugeOf("test_slow", (signal) => {
        if (!hang) return Promise.resolve(7);
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise<number>(() => undefined);
      }),
    );
    metrics.addCollector(gaugeOf("test_fast", () => Promise.resolve(3)));
    await metrics.metrics();
    hang = true;
    const started = performance.now();
    const text = await metrics.metrics();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(aborted).toBe(true);
    expect(text).toMatch(/^test_slow 7$/m);
    expect(text).toMatch(/^test_fast 3$/m);
    expect(text).toMatch(/^charthouse_metrics_collector_success\{collector="test_slow"\} 0$/m);
    expect(text).toMatch(/^charthouse_metrics_collector_success\{collector="test_fast"\} 1$/m);
  });

  it("a failing collector is reported, not thrown, and the scrape still answers", async () => {
    const metrics = new ScrapingRegistry({ log, reuseMs: 0 });
    metrics.addCollector(gaugeOf("test_broken", () => Promise.reject(new Error("database is down"))));
    expect(await metrics.metrics()).toMatch(/^charthouse_metrics_collector_success\{collector="test_broken"\} 0$/m);
  });

  it("scrapes close together share one read", async () => {
    const metrics = new ScrapingRegistry({ log, reuseMs: 60_000 });
    const counted = gaugeOf("test_counted", () => Promise.resolve(1));
    metrics.addCollector(counted);
    await Promise.all([metrics.metrics(), metrics.metrics()]);
    await metrics.metrics();
    expect(counted.calls).toBe(1);
  });

  it("refuses a second collector of the same name", () => {
    const metrics = new ScrapingRegistry({ log });
    metrics.addCollector(gaugeOf("test_once", () => Promise.resolve(1)));
    expect(() => metrics.addCollector(() => ({ name: "test_once", collect: () => Promise.resolve() }))).toThrow(/already registered/);
  });
});
