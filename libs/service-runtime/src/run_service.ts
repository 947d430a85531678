import type { Logger } from "@charthouse/logging";

/** A started service: stop() drains in-flight work and closes connections. */
export interface StartedService {
  stop(): Promise<void>;
}

/**
 * Runs a service's start function and drains it on SIGTERM or SIGINT. A failure to start, or
 * an error nobody caught, is logged and ends the process with a non-zero code.
 */
export function runService(log: Logger, start: () => Promise<StartedService>, options: { drainTimeoutMs?: number } = {}): void {
  let started: StartedService | undefined;
  let stopping = false;

  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "Draining");
    const timer = setTimeout(() => {
      log.error("Drain took too long, exiting");
      process.exit(1);
    }, options.drainTimeoutMs ?? 25_000);
    timer.unref();
    try {
      await started?.stop();
      log.info("Stopped");
      process.exit(0);
    } catch (err) {
      log.error({ err }, "Error while draining");
      process.exit(1);
    }
  };

  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("unhandledRejection", (err) => {
    log.fatal({ err }, "Unhandled rejection");
    process.exit(1);
  });

  start()
    .then((service) => {
      started = service;
      log.info("Started");
    })
    .catch((err: unknown) => {
      log.fatal({ err }, "Cannot start");
      process.exit(1);
    });
}
