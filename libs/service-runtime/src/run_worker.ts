import { createLogger, type Logger } from "@charthouse/logging";
import type { MessageHandler } from "@charthouse/messaging";
import { Registry as MetricsRegistry } from "prom-client";
import type { z } from "zod";
import { runService, type StartedService } from "./run_service.ts";
import { startTracing } from "./tracing.ts";
import { startWorkerService, type ServiceConnections, type WorkerSettings } from "./worker_service.ts";

/** What a worker builds once its logger and /metrics registry exist. */
export interface WorkerSetup<S extends z.ZodType> {
  /** Builds the handler from the service's connections. */
  createHandler(connections: ServiceConnections): MessageHandler<S>;
  /** Closes what the setup opened (registry access), once the consumer has drained. */
  close?(): Promise<void>;
  /** Postgres connections at most, when the messages worked on at once are not what needs them (default CHARTHOUSE_CONCURRENCY + 4). */
  poolSize?: number;
  /** Work the service runs beside its consumer (the notifier's deliveries), stopped before the connections close. */
  startBackground?(connections: ServiceConnections): StartedService;
}

/**
 * The main of a consumer service: its logger and tracing, a /metrics registry, then (under
 * runService) the setup, connections, the durable consumer named after the service, health
 * endpoints, and a drain that stops the consumer, then what the setup opened, then tracing.
 */
export async function runWorker<S extends z.ZodType>(
  service: string,
  settings: WorkerSettings & { LOG_LEVEL: string },
  setup: (runtime: { log: Logger; metrics: MetricsRegistry }) => WorkerSetup<S>,
): Promise<void> {
  const log = createLogger(service, { level: settings.LOG_LEVEL });
  // Before anything makes spans.
  const tracing = await startTracing(service, { log });
  runService(log, async () => {
    const metrics = new MetricsRegistry();
    const worker = setup({ log, metrics });
    const started = await startWorkerService({
      service,
      settings,
      log,
      durable: service,
      metrics,
      createHandler: (connections) => worker.createHandler(connections),
      ...(worker.poolSize === undefined ? {} : { poolSize: worker.poolSize }),
      ...(worker.startBackground === undefined ? {} : { startBackground: (connections: ServiceConnections) => worker.startBackground!(connections) }),
    });
    return {
      async stop() {
        await started.stop();
        await worker.close?.();
        await tracing.shutdown();
      },
    };
  });
}
