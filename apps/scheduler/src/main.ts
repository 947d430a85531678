import { SyncRunRepository } from "@charthouse/db";
import { createLogger } from "@charthouse/logging";
import { openConnections, runService, startHealthEndpoints } from "@charthouse/service-runtime";
import { loadSchedulerConfig } from "./config.ts";
import { startSchedulerLoop } from "./handlers/scheduler_loop.ts";

const config = loadSchedulerConfig();
const log = createLogger("scheduler", { level: config.LOG_LEVEL });

runService(log, async () => {
  const connections = await openConnections("scheduler", config, log);
  const loop = startSchedulerLoop(new SyncRunRepository(connections.db), connections.publisher, log, {
    tickMs: config.CHARTHOUSE_SCHEDULER_TICK_MS,
    batch: config.CHARTHOUSE_SCHEDULER_BATCH,
    republishAfterSeconds: config.CHARTHOUSE_SYNC_REPUBLISH_AFTER_SECONDS,
    abandonAfterSeconds: config.CHARTHOUSE_SYNC_ABANDON_AFTER_SECONDS,
  });
  const http = await startHealthEndpoints("scheduler", config, connections);
  return {
    async stop() {
      await loop.stop();
      await http.close();
      await connections.nats.drain();
      await connections.db.close();
    },
  };
});
