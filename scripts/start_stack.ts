/**
 * `npm start`: runs every service as its own process against local Postgres and NATS, with a
 * credential key and an admin token kept in .local/ unless the environment sets them.
 */
import { join } from "node:path";
import { buildServices, localSecrets, startStack, workspaceRoot } from "@charthouse/stack";

await buildServices(workspaceRoot);
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
    `Charthouse is starting: API and web UI on http://127.0.0.1:${apiPort}`,
    `Admin token: ${env.CHARTHOUSE_BOOTSTRAP_TOKEN}`,
    `Try: curl -H "Authorization: Bearer ${env.CHARTHOUSE_BOOTSTRAP_TOKEN}" http://127.0.0.1:${apiPort}/api/v1/registries`,
    "",
  ].join("\n"),
);

const stopAll = (): void => {
  void stack.stop().then(() => process.exit(0));
};
process.on("SIGINT", stopAll);
process.on("SIGTERM", stopAll);
for (const p of stack.processes) {
  p.child.on("exit", (code, signal) => {
    process.stderr.write(`${p.service} exited (${signal ?? code}); stopping Charthouse\n`);
    void stack.stop().then(() => process.exit(1));
  });
}
