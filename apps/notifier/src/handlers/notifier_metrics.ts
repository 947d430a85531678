import { Counter, Histogram, type Registry } from "prom-client";

/** How one delivery attempt ended. */
export type AttemptOutcome = "delivered" | "retry" | "failed";

/** Where the notifier reports its work; a plain object in tests, prom-client in the service. */
export interface NotifierRecorder {
  /** Deliveries recorded from one event (new ones only: a replayed event records none). */
  recorded(count: number): void;
  /** One attempt ended after `seconds`. */
  attempted(outcome: AttemptOutcome, seconds: number): void;
}

/** charthouse_webhook_deliveries_recorded_total, charthouse_webhook_attempts_total{outcome} and their durations. */
export function notifierMetrics(registry: Registry): NotifierRecorder {
  const recorded = new Counter({
    name: "charthouse_webhook_deliveries_recorded_total",
    help: "Webhook deliveries recorded: one per subscription and matching event",
    registers: [registry],
  });
  const attempts = new Counter({
    name: "charthouse_webhook_attempts_total",
    help: "Webhook delivery attempts, by outcome (delivered, retry later, failed for good)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "charthouse_webhook_attempt_duration_seconds",
    help: "Time of one webhook delivery attempt, from sending to the answer",
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    recorded: (count) => recorded.inc(count),
    attempted(outcome, seconds) {
      attempts.inc({ outcome });
      duration.observe(seconds);
    },
  };
}
