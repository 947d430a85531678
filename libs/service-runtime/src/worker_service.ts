import { streams } from "@charthouse/contracts";
import { createSqlClient, pingDatabase, waitForSchema, type SqlClient } from "@charthouse/db";
import type { Logger } from "@charthouse/logging";
import {
  ArchiveStore,
  connectNats,
  ensureConsumer,
  ensureStream,
  Publisher,
  runConsumer,
  watchConnection,
  type ConnectionState,
  type JetStreamClient,
  type MessageHandler,
  type NatsConnection,
} from "@charthouse/messaging";
import { archiveBucket } from "@charthouse/contracts";
import type { z } from "zod";
import { Registry as MetricsRegistry } from "prom-client";
import { startServiceHttp, type ServiceHttp } from "./service_http.ts";
import type { StartedService } from "./run_service.ts";

/** The connections a service's handlers are built from. */
export interface ServiceConnections {
  db: SqlClient;
  nats: NatsConnection;
  /** Whether NATS is connected right now (false while the client reconnects). */
  natsState: ConnectionState;
  js: JetStreamClient;
  publisher: Publisher;
  archives: ArchiveStore;
  log: Logger;
}

/** Settings every worker reads (see commonSettings in @charthouse/config). */
export interface WorkerSettings {
  DATABASE_URL: string;
  NATS_URL: string;
  PORT: number;
  CHARTHOUSE_CONCURRENCY: number;
  CHARTHOUSE_GIVE_UP_AFTER_SECONDS: number;
  CHARTHOUSE_RETRY_MAX_DELAY_MS: number;
}

/**
 * Opens Postgres and NATS (provisioning every stream and the archive bucket). Without a client
 * of the caller's (registry-api brings its own, after migrating), it waits until the schema is
 * current and opens a plain pg pool.
 */
export async function openConnections(
  service: string,
  settings: WorkerSettings,
  log: Logger,
  options: { db?: SqlClient; poolSize?: number } = {},
): Promise<ServiceConnections> {
  let db = options.db;
  if (db === undefined) {
    await waitForSchema(settings.DATABASE_URL, { onWait: () => log.info("Waiting for registry-api to migrate the database") });
    db = createSqlClient(settings.DATABASE_URL, { poolSize: options.poolSize ?? settings.CHARTHOUSE_CONCURRENCY + 4 });
  }
  const nats = await connectNats(settings.NATS_URL, service);
  const jsm = await nats.jetstreamManager();
  for (const stream of Object.values(streams)) await ensureStream(jsm, stream);
  const js = nats.jetstream();
  const archives = await ArchiveStore.open(js, archiveBucket);
  return { db, nats, natsState: watchConnection(nats, log), js, publisher: new Publisher(js), archives, log };
}

/** Starts the health endpoints with the two readiness checks every service has. */
export async function startHealthEndpoints(
  service: string,
  settings: WorkerSettings,
  connections: ServiceConnections,
  options: { mount?: Parameters<typeof startServiceHttp>[0]["mount"]; metrics?: MetricsRegistry } = {},
): Promise<ServiceHttp> {
  return await startServiceHttp({
    service,
    port: settings.PORT,
    log: connections.log,
    readiness: {
      postgres: () => pingDatabase(connections.db),
      nats: async () => {
        if (connections.nats.isClosed()) throw new Error("NATS connection closed");
        // While the client reconnects, a flush would wait for the server to come back.
        if (!connections.natsState.connected) throw new Error("NATS connection lost; reconnecting");
        await connections.nats.flush();
      },
    },
    ...(options.mount ? { mount: options.mount } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

/**
 * Runs one consumer service: connections, its durable consumer shared by all its copies, the
 * handler loop, health endpoints, and a drain that lets in-flight messages finish.
 */
export async function startWorkerService<S extends z.ZodType>(options: {
  service: string;
  settings: WorkerSettings;
  log: Logger;
  durable: string;
  ackWaitMs?: number;
  /** Postgres connections at most (default CHARTHOUSE_CONCURRENCY + 4). */
  poolSize?: number;
  /** The /metrics registry, when the caller registers metrics before the service starts (breakers). */
  metrics?: MetricsRegistry;
  /** Builds the handler; its domain metrics go in `metrics`, the service's /metrics registry. */
  createHandler: (connections: ServiceConnections, metrics: MetricsRegistry) => MessageHandler<S>;
  /** Work beside the consumer, started once it runs and stopped after it drains, before the connections close. */
  startBackground?: (connections: ServiceConnections) => StartedService;
}): Promise<StartedService> {
  const connections = await openConnections(options.service, options.settings, options.log, options.poolSize === undefined ? {} : { poolSize: options.poolSize });
  const metrics = options.metrics ?? new MetricsRegistry();
  const handler = options.createHandler(connections, metrics);
  const jsm = await connections.nats.jetstreamManager();
  await ensureConsumer(jsm, {
    stream: handler.contract.stream,
    durable: options.durable,
    filterSubject: handler.contract.subject,
    // The heartbeat says working() every 10 s: a copy that died gives its messages back within 30 s.
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxAckPending: 10_000,
  });
  const consumer = await runConsumer(connections.js, handler, {
    metrics,
    stream: handler.contract.stream,
    durable: options.durable,
    concurrency: options.settings.CHARTHOUSE_CONCURRENCY,
    giveUpAfterMs: options.settings.CHARTHOUSE_GIVE_UP_AFTER_SECONDS * 1000,
    backoff: { baseMs: Math.min(1_000, options.settings.CHARTHOUSE_RETRY_MAX_DELAY_MS), maxMs: options.settings.CHARTHOUSE_RETRY_MAX_DELAY_MS },
    log: options.log,
  });
  const background = options.startBackground?.(connections);
  const http = await startHealthEndpoints(options.service, options.settings, connections, { metrics });
  return {
    async stop() {
      await consumer.stop();
      await background?.stop();
      await http.close();
      await connections.nats.drain();
      await connections.db.close();
    },
  };
}
