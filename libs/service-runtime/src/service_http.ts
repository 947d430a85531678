import type { Server } from "node:http";
import express, { type Express } from "express";
import { collectDefaultMetrics, Registry } from "prom-client";
import type { Logger } from "@charthouse/logging";

/** A readiness check: resolves when a dependency answers, throws when it does not. */
export type ReadinessCheck = () => Promise<void>;

/** The health and metrics endpoints of one service. */
export interface ServiceHttp {
  app: Express;
  metrics: Registry;
  server: Server;
  /** The port actually bound (PORT=0 picks a free one). */
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the HTTP side every service has: `/healthz` (process up), `/readyz` (every readiness
 * check passes) and `/metrics` (Prometheus text). registry-api mounts its API on the same app
 * through `mount`, before the server starts listening.
 */
export async function startServiceHttp(options: {
  service: string;
  port: number;
  log: Logger;
  readiness: Record<string, ReadinessCheck>;
  metrics?: Registry;
  mount?: (app: Express) => void;
}): Promise<ServiceHttp> {
  const metrics = options.metrics ?? new Registry();
  metrics.setDefaultLabels({ service: options.service });
  collectDefaultMetrics({ register: metrics });
  // prom-client names three gauges *_total, which Prometheus keeps for counters (promtool check
  // metrics refuses them); nodejs_active_{handles,requests,resources}{type} keep the same counts.
  for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"]) {
    metrics.removeSingleMetric(name);
  }

  const app = express();
  app.disable("x-powered-by");
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", service: options.service });
  });
  app.get("/readyz", async (_req, res) => {
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await withinReadinessTimeout(check());
          return [name, "ok"] as const;
        } catch (err) {
          return [name, err instanceof Error ? err.message : String(err)] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ok" : "unavailable", checks: Object.fromEntries(results) });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  options.mount?.(app);

  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port, "0.0.0.0", (err?: Error) => (err ? reject(err) : resolve(listening)));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  options.log.info({ port }, "HTTP endpoints listening");
  return {
    app,
    metrics,
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A dependency that does not answer within this time is reported as not ready. */
const READINESS_TIMEOUT_MS = 2_000;

async function withinReadinessTimeout(check: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
  });
  try {
    await Promise.race([check, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
