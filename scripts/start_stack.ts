/**
 * `npm start`: builds the services and the web UI, then runs every service as its own process
 * against local Postgres and NATS, with a credential key and an admin token kept in .local/
 * unless the environment sets them. registry-api serves the UI at `/`. A service that exits is
 * started again with exponential backoff (1 s doubling to 30 s), with one line saying so;
 * Ctrl-C or SIGTERM stops every service.
 */
import { join } from "node:path";
import { buildServices, buildWebUi, defaultRestartPolicy, localSecrets, startStack, workspaceRoot } from "@charthouse/stack";

await Promise.all([buildServices(workspaceRoot), buildWebUi(workspaceRoot)]);
const secrets = localSecrets(join(workspaceRoot, ".local"));
const env = {
  CHARTHOUSE_SECRET_KEY: process.env["CHARTHOUSE_SECRET_KEY"] ?? secrets.secretKey,
  CHARTHOUSE_BOOTSTRAP_TOKEN: process.env["CHARTHOUSE_BOOTSTRAP_TOKEN"] ?? secrets.bootstrapToken,
};
const apiPort = Number(process.env["PORT"] ?? 8080);
const stack = startStack({
  env,
  port: (service, copy) => (service === "registry-api" ? apiPort + copy : 0),
  restart: defaultRestartPolicy,
});

process.stderr.write(
  [
    "",
    `Charthouse is starting: web UI on http://127.0.0.1:${apiPort}/ (sign in with the admin token)`,
    `API on http://127.0.0.1:${apiPort}/api/v1`,
    `Admin token: ${env.CHARTHOUSE_BOOTSTRAP_TOKEN}`,
    `Try: curl -H "Authorization: Bearer ${env.CHARTHOUSE_BOOTSTRAP_TOKEN}" http://127.0.0.1:${apiPort}/api/v1/registries`,
    "",
  ].join("\n"),
);

// A service that dies is restarted by the stack's supervisor (one line on stderr says so); only
// Ctrl-C or SIGTERM stops Charthouse.
let stopping = false;
const stopAll = (): void => {
  if (stopping) return;
  stopping = true;
  process.stderr.write("Stopping Charthouse\n");
  void stack.stop().then(() => process.exit(0));
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
