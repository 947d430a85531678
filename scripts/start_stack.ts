/**
 * `npm start`: builds the services and the web UI, then runs every service as its own process
 * against local Postgres and NATS, with a credential key and an admin token kept in .local/
 * unless the environment sets them. registry-api serves the UI at `/`.
 */
import { join } from "node:path";
import { buildServices, buildWebUi, localSecrets, startStack, workspaceRoot } from "@charthouse/stack";

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

let stopping = false;
const stopAll = (exitCode: number): void => {
  if (stopping) return;
  stopping = true;
  void stack.stop().then(() => process.exit(exitCode));
};
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
// One service down means Charthouse is down: stop the others rather than run half a pipeline.
for (const p of stack.processes) {
  p.child.on("exit", (code, signal) => {
    if (stopping) return;
    process.stderr.write(`${p.service} exited (${signal ?? code}); stopping Charthouse\n`);
    stopAll(1);
  });
}
