import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from "testcontainers";
import { waitFor } from "@charthouse/testing";
import { buildCharthouseImage, containerImages, docker, dockerAnswers } from "./support/container_compose.ts";

// The image as one container at a time, through testcontainers: what a Kubernetes pod or a plain
// `docker run` gets from it, with no compose file around it. Postgres and NATS run from the local
// images scripts/ensure_docker.sh makes; nothing is pulled.

// testcontainers' reaper is an image of its own (testcontainers/ryuk), which cannot be pulled
// here: every container this file starts is stopped in afterAll instead.
process.env["TESTCONTAINERS_RYUK_DISABLED"] = "true";

const enabled = process.env["CHARTHOUSE_CONTAINER_TESTS"] !== "0";

describe.skipIf(!enabled)("the Charthouse image, container by container", () => {
  const started: StartedTestContainer[] = [];
  let network: StartedNetwork | undefined;
  const password = randomBytes(12).toString("hex");
  const token = `ch_test_${randomBytes(16).toString("hex")}`;
  const databaseUrl = `postgres://charthouse:${password}@postgres:5432/charthouse`;
  const serviceEnv = { DATABASE_URL: databaseUrl, NATS_URL: "nats://nats:4222", PORT: "8080", LOG_LEVEL: "info" };

  beforeAll(async () => {
    expect(await dockerAnswers(), "a Docker engine must answer (scripts/ensure_docker.sh starts one)").toBe(true);
    await buildCharthouseImage();
    network = await new Network().start();
    started.push(
      await new GenericContainer(containerImages.postgres)
        .withNetwork(network)
        .withNetworkAliases("postgres")
        .withEnvironment({ POSTGRES_USER: "charthouse", POSTGRES_PASSWORD: password, POSTGRES_DB: "charthouse" })
        .withCommand(["postgres", "-c", "jit=off"])
        .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/))
        .withStartupTimeout(120_000)
        .start(),
      await new GenericContainer(containerImages.nats)
        .withNetwork(network)
        .withNetworkAliases("nats")
        .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
        .start(),
    );
  }, 600_000);

  afterAll(async () => {
    for (const container of started.reverse()) await container.stop({ timeout: 10_000 }).catch(() => undefined);
    await network?.stop().catch(() => undefined);
  }, 120_000);

  test("registry-api starts as uid 1000, answers /readyz and serves the web UI, and drains on SIGTERM", async () => {
    const api = await new GenericContainer(containerImages.charthouse)
      .withNetwork(network!)
      .withEnvironment({ ...serviceEnv, CHARTHOUSE_SECRET_KEY: randomBytes(32).toString("base64"), CHARTHOUSE_BOOTSTRAP_TOKEN: token })
      .withTmpFs({ "/tmp": "rw" })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp("/readyz", 8080).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start();
    started.push(api);
    const base = `http://${api.getHost()}:${api.getMappedPort(8080)}`;

    // Not root, without being told: the Dockerfile's USER, as runAsNonRoot verifies it.
    const uid = await api.exec(["node", "-e", "process.stdout.write(`${process.getuid()}:${process.getgid()}`)"]);
    expect(uid.output.trim()).toBe("1000:1000");
    // The code belongs to root: the service cannot change what it runs.
    const write = await api.exec(["node", "-e", "require('fs').writeFileSync('/app/apps/x', '1')"]);
    expect(write.exitCode).not.toBe(0);
    expect(write.output).toMatch(/EACCES|EROFS/);

    const ui = await fetch(`${base}/`, { signal: AbortSignal.timeout(10_000) });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain("<div id=\"root\">");
    const registries = await fetch(`${base}/api/v1/registries`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    expect(registries.status).toBe(200);

    const stopping = Date.now();
    const stopped = await api.stop({ timeout: 30_000, remove: false });
    const seconds = (Date.now() - stopping) / 1000;
    process.stdout.write(`image: registry-api SIGTERM to exit = ${seconds.toFixed(1)} s\n`);
    expect(seconds).toBeLessThan(30);
    const exitCode = await exitCodeOf(stopped.getId());
    await docker(["rm", "-f", stopped.getId()]);
    expect(exitCode).toBe(0);
  }, 240_000);

  test("a worker image copy turns ready against the same Postgres and NATS", async () => {
    const worker = await new GenericContainer(containerImages.charthouse)
      .withNetwork(network!)
      .withEnvironment(serviceEnv)
      .withCommand(["apps/chart-downloader/dist/main.js"])
      .withTmpFs({ "/tmp": "rw" })
      .withExposedPorts(8080)
      .withWaitStrategy(Wait.forHttp("/readyz", 8080).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start();
    started.push(worker);
    const metrics = await fetch(`http://${worker.getHost()}:${worker.getMappedPort(8080)}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('service="chart-downloader"');
  }, 240_000);

  test("a bad setting stops the service at once with a line naming it, never a stack trace", async () => {
    let output = "";
    const outcome = await new GenericContainer(containerImages.charthouse)
      .withEnvironment({ ...serviceEnv, DATABASE_URL: "mysql://charthouse@postgres/charthouse" })
      .withCommand(["apps/scheduler/dist/main.js"])
      .withLogConsumer((stream) => stream.on("data", (chunk: Buffer | string) => (output += chunk.toString())))
      .withWaitStrategy(Wait.forOneShotStartup())
      .withStartupTimeout(60_000)
      .start()
      .then(
        (container) => {
          started.push(container);
          return "exited 0";
        },
        (err: Error) => err.message,
      );
    // A one-shot wait fails when the process exits non-zero: the expected end here.
    expect(outcome).not.toBe("exited 0");
    await waitFor(() => output.includes("DATABASE_URL"), { what: "the scheduler's output to name DATABASE_URL", timeoutMs: 10_000, intervalMs: 100 });
    expect(output).not.toMatch(/^\s+at /m);
  }, 120_000);
});

/** The exit code of a stopped container. */
async function exitCodeOf(id: string): Promise<number> {
  return Number((await docker(["inspect", "--format", "{{.State.ExitCode}}", id])).trim());
}
