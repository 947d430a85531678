import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { workspaceRoot } from "@charthouse/stack";
import { freePort, waitFor } from "@charthouse/testing";

const run = promisify(execFile);

/** The Charthouse image the container tests build once per run, and the local images compose uses. */
export const containerImages = {
  charthouse: "charthouse:container-test",
  node: "charthouse-local/node:20-bookworm-slim",
  postgres: "charthouse-local/postgres:15",
  nats: "charthouse-local/nats:2.9",
  nginx: "charthouse-local/nginx:local",
} as const;

/** Runs the docker CLI (time-limited); returns stdout, throws with stderr on a non-zero exit. */
export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run("docker", [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Whether a Docker engine answers `docker info`. */
export async function dockerAnswers(): Promise<boolean> {
  return await docker(["info", "--format", "{{.ServerVersion}}"], 10_000).then(
    (out) => out.trim().length > 0,
    () => false,
  );
}

/**
 * Builds the project's Dockerfile on the local Node base (classic builder, layers cached between
 * runs) as {@link containerImages.charthouse}; returns the build's duration and the image's size.
 */
export async function buildCharthouseImage(): Promise<{ seconds: number; sizeBytes: number; baseSizeBytes: number }> {
  const started = Date.now();
  await run(
    "docker",
    ["build", "-q", "-t", containerImages.charthouse, "--build-arg", `NODE_IMAGE=${containerImages.node}`, workspaceRoot],
    { timeout: 600_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
  );
  const size = async (image: string): Promise<number> => Number((await docker(["image", "inspect", "--format", "{{.Size}}", image])).trim());
  return { seconds: (Date.now() - started) / 1000, sizeBytes: await size(containerImages.charthouse), baseSizeBytes: await size(containerImages.node) };
}

/** One container of a compose project, as `docker inspect` sees it. */
export interface ContainerState {
  id: string;
  name: string;
  service: string;
  running: boolean;
  pid: number;
  restartCount: number;
  health: string | null;
  user: string;
  readOnly: boolean;
  exitCode: number;
}

/** The fields of `docker inspect` the tests read. */
interface InspectedContainer {
  Id: string;
  Name: string;
  RestartCount: number;
  Config: { Labels: Record<string, string>; User: string };
  HostConfig: { ReadonlyRootfs: boolean };
  State: { Running: boolean; Pid: number; ExitCode: number; Health?: { Status: string } };
}

/** A compose project made from the project's docker-compose.yml plus the test override. */
export interface ComposeProject {
  name: string;
  apiUrl: string;
  token: string;
  /** Postgres inside the project, published on 127.0.0.1 for the tests' checks. */
  databaseUrl: string;
  /** Where the chart server is published on 127.0.0.1 (the services reach it at http://charts:8080). */
  chartsUrl: string;
  /** Runs docker-compose with this project's name, files and environment. */
  compose(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Every container of the project (or of one service), stopped ones included. */
  containers(service?: string): Promise<ContainerState[]>;
  /** Calls the REST API with the admin token. */
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** The last lines of every service's output. */
  logs(tail?: number): Promise<string>;
  /** Stops and removes everything, volumes included. */
  down(): Promise<void>;
}

/** Options of {@link composeProject}. */
export interface ComposeProjectOptions {
  /** The folder the chart server serves (readable by anyone) and the folder its access log goes to (writable by anyone). */
  chartsDir: string;
  chartsLogDir: string;
  env?: Record<string, string>;
}

/** Prepares (does not start) a compose project with a unique name, free ports and fresh secrets. */
export async function composeProject(options: ComposeProjectOptions): Promise<ComposeProject> {
  const name = `charthouse-ct-${process.pid}-${randomBytes(3).toString("hex")}`;
  const apiPort = await freePort();
  const postgresPort = await freePort();
  const chartsPort = await freePort();
  const token = `ch_test_${randomBytes(16).toString("hex")}`;
  const password = randomBytes(12).toString("hex");
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    COMPOSE_PROJECT_NAME: name,
    CHARTHOUSE_IMAGE_TAG: containerImages.charthouse.split(":")[1]!,
    POSTGRES_IMAGE: containerImages.postgres,
    NATS_IMAGE: containerImages.nats,
    CHARTHOUSE_TEST_NGINX_IMAGE: containerImages.nginx,
    CHARTHOUSE_SECRET_KEY: randomBytes(32).toString("base64"),
    CHARTHOUSE_BOOTSTRAP_TOKEN: token,
    POSTGRES_PASSWORD: password,
    CHARTHOUSE_API_PORT: String(apiPort),
    CHARTHOUSE_TEST_POSTGRES_PORT: String(postgresPort),
    CHARTHOUSE_TEST_CHARTS_PORT: String(chartsPort),
    CHARTHOUSE_TEST_CHARTS_DIR: options.chartsDir,
    CHARTHOUSE_TEST_CHARTS_LOG_DIR: options.chartsLogDir,
    ...options.env,
  };
  const files = ["-f", join(workspaceRoot, "docker-compose.yml"), "-f", join(workspaceRoot, "deploy/compose/test.override.yml")];
  const compose = async (args: readonly string[], timeoutMs = 300_000): Promise<string> => {
    const { stdout } = await run("docker-compose", ["-p", name, ...files, ...args], {
      cwd: workspaceRoot,
      env,
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  };
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    name,
    apiUrl,
    token,
    databaseUrl: `postgres://charthouse:${password}@127.0.0.1:${postgresPort}/charthouse`,
    chartsUrl: `http://127.0.0.1:${chartsPort}`,
    compose,
    async containers(service) {
      const filters = ["--filter", `label=com.docker.compose.project=${name}`];
      if (service !== undefined) filters.push("--filter", `label=com.docker.compose.service=${service}`);
      const ids = (await docker(["ps", "-aq", ...filters])).split("\n").filter(Boolean);
      if (ids.length === 0) return [];
      const inspected = JSON.parse(await docker(["inspect", ...ids])) as InspectedContainer[];
      return inspected.map((c) => ({
        id: c.Id,
        name: c.Name.replace(/^\//, ""),
        service: c.Config.Labels["com.docker.compose.service"] ?? "",
        running: c.State.Running,
        pid: c.State.Pid,
        restartCount: c.RestartCount,
        health: c.State.Health?.Status ?? null,
        user: c.Config.User,
        readOnly: c.HostConfig.ReadonlyRootfs,
        exitCode: c.State.ExitCode,
      }));
    },
    async api<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${apiUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      const type = response.headers.get("content-type") ?? "";
      return { status: response.status, body: (type.includes("json") && text ? JSON.parse(text) : text) as T };
    },
    async logs(tail = 200) {
      return await compose(["logs", "--no-color", "--tail", String(tail)]).catch((err: Error) => `(no logs: ${err.message})`);
    },
    async down() {
      await compose(["down", "-v", "--remove-orphans", "-t", "30"], 180_000);
    },
  };
}

/**
 * Kills a container's main process from the host (`kill -9` of its host pid): a crash, which
 * `restart: unless-stopped` answers (a `docker kill` would count as a stop by the user). Resolves
 * with the seconds until the container runs again with a new process.
 */
export async function crashAndAwaitRestart(project: ComposeProject, container: ContainerState): Promise<number> {
  const killedAt = Date.now();
  process.kill(container.pid, "SIGKILL");
  await waitFor(
    async () => {
      const now = (await project.containers(container.service)).find((c) => c.id === container.id);
      return now !== undefined && now.running && now.pid !== container.pid && now.pid > 0;
    },
    { what: `${container.name} to be restarted by its restart policy`, timeoutMs: 60_000, intervalMs: 100 },
  );
  return (Date.now() - killedAt) / 1000;
}
