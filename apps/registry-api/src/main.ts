import { secretBoxFromSettings, type SecretBox } from "@charthouse/credentials";
import { createSqlClient, ensureSchema } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { DeadLetterStream, registerDeadLetterMetrics } from "@charthouse/messaging";
import { loadServiceConfig, openConnections, runService, startHealthEndpoints, startTracing } from "@charthouse/service-runtime";
import { createApiRepositories } from "./api_repositories.ts";
import { mountApi } from "./app.ts";
import { bootstrapDefaultOrganization } from "./bootstrap.ts";
import { loadRegistryApiConfig } from "./config.ts";
import { EventFeed } from "./events_feed.ts";
import { createApiMetrics } from "./metrics/api_metrics.ts";

const config = loadServiceConfig("registry-api", loadRegistryApiConfig);
const log = createLogger("registry-api", { level: config.LOG_LEVEL });
const tracing = await startTracing("registry-api", { log });

runService(log, async () => {
  const secretBox = openSecretBox(config.CHARTHOUSE_SECRET_KEY, config.CHARTHOUSE_PREVIOUS_SECRET_KEYS);
  if (secretBox === null) log.warn("CHARTHOUSE_SECRET_KEY is not set: credentials and subscriptions cannot be created");
  // Postgres, migrated first (this service applies the migrations; the workers wait for them),
  // NATS with every stream, the publisher and the archive store.
  await ensureSchema(config.DATABASE_URL);
  const sql = createSqlClient(config.DATABASE_URL, { poolSize: config.CHARTHOUSE_DB_POOL_SIZE });
  const connections = await openConnections("registry-api", config, log, { db: sql });
  const db = createApiRepositories(sql);
  await bootstrapDefaultOrganization(db, config.CHARTHOUSE_BOOTSTRAP_TOKEN);
  const context = {
    db,
    publisher: connections.publisher,
    archives: connections.archives,
    log,
    secretBox,
    destinations: { blockPrivateNetworks: config.CHARTHOUSE_BLOCK_PRIVATE_NETWORKS },
  };
  // One shared consumer of the EVENTS stream for every /events client of this process.
  const events = await EventFeed.start(connections.nats, { log });
  // The operator's view of what was given up (GET /admin/dead-letters, replay).
  const deadLetters = await DeadLetterStream.open(connections.nats);
  // Domain gauges read on scrape (Postgres, JetStream consumers, open /events streams).
  const metrics = createApiMetrics({
    gauges: db.gauges,
    jsm: await connections.nats.jetstreamManager({ timeout: 2_500 }),
    sseClients: () => events.size,
    log,
  });
  registerDeadLetterMetrics(metrics, deadLetters, { log });
  // /healthz, /readyz (a Postgres round trip, NATS flush) and /metrics, with the API mounted.
  const http = await startHealthEndpoints("registry-api", config, connections, {
    metrics,
    mount: (app) => mountApi(app, context, { events, metrics, deadLetters }),
  });
  return {
    async stop() {
      // Event streams never end on their own: close them so the server can.
      await events.close();
      await http.close();
      await connections.nats.drain();
      await connections.db.close();
      await tracing.shutdown();
    },
  };
});

// Writes seal with the current key; the previous keys still open secrets a rotation has not moved yet.
function openSecretBox(encoded: string | undefined, previous: string | undefined): SecretBox | null {
  if (encoded === undefined) return null;
  return secretBoxFromSettings({ secretKey: encoded, previousSecretKeys: previous });
}
