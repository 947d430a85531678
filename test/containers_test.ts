import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ChartVersionDetailJson } from "@charthouse/api-types";
import { workspaceRoot } from "@charthouse/stack";
import { makeTempDir, removeTempDir, waitFor } from "@charthouse/testing";
import { versionPath } from "./support/api_waits.ts";
import { addComposeRegistry, archiveFetches, awaitAllReady, registryFigures } from "./support/container_checks.ts";
import {
  buildCharthouseImage,
  composeProject,
  crashAndAwaitRestart,
  docker,
  dockerAnswers,
  type ComposeProject,
} from "./support/container_compose.ts";
import { makeFaultRepository, type FaultRepository } from "./support/fault_repository.ts";

// The image and the compose stack as operators run them: the project's Dockerfile built on a
// local Node base, docker-compose.yml with local Postgres/NATS images (scripts/ensure_docker.sh
// makes them) plus deploy/compose/test.override.yml (an nginx chart server). Needs a Docker
// engine: without one every test here fails, none passes.

const charthouseServices = ["registry-api", "scheduler", "index-fetcher", "oci-fetcher", "chart-downloader", "metadata-extractor", "notifier"];
const workers = ["index-fetcher", "chart-downloader", "metadata-extractor", "scheduler", "oci-fetcher"];

/** The figures this file measures, written to .cache/test-results/containers.json and printed one per line. */
const figures: Record<string, unknown> = {};
let project: ComposeProject | undefined;
let root = "";
let logDir = "";
let upStartedAt = 0;
const repositories = new Map<string, FaultRepository>();
const registryIds = new Map<string, string>();

function report(name: string, value: unknown): void {
  figures[name] = value;
  process.stdout.write(`containers: ${name} = ${JSON.stringify(value)}\n`);
}

function stack(): ComposeProject {
  if (project === undefined) throw new Error("The compose stack did not start");
  return project;
}

// npm test runs this file after scripts/ensure_docker.sh; CHARTHOUSE_CONTAINER_TESTS=0 skips it.
// Postgres runs with jit=off (docker-compose.yml): with JIT, backends died of SIGPIPE under load.
const enabled = process.env["CHARTHOUSE_CONTAINER_TESTS"] !== "0";

describe.skipIf(!enabled)("the compose stack in real containers", () => {
  beforeAll(async () => {
    expect(await dockerAnswers(), "a Docker engine must answer (scripts/ensure_docker.sh starts one)").toBe(true);
    const image = await buildCharthouseImage();
    report("image_build_seconds", Number(image.seconds.toFixed(1)));
    report("image_size_mb", Math.round(image.sizeBytes / 1e6));
    report("image_size_above_base_mb", Math.round((image.sizeBytes - image.baseSizeBytes) / 1e6));

    root = await makeTempDir("charthouse-containers-");
    const chartsDir = join(root, "charts");
    logDir = join(root, "logs");
    await mkdir(chartsDir, { recursive: true });
    await mkdir(logDir, { recursive: true });
    await chmod(root, 0o755);
    await chmod(chartsDir, 0o755);
    await chmod(logDir, 0o777);
    for (const [name, count, charts] of [
      ["basic", 30, 10],
      ["scaled", 2000, 100],
      ["crash", 600, 40],
      ["restart", 300, 30],
    ] as const) {
      const repository = await makeFaultRepository(chartsDir, name, { charts });
      await repository.publishWave(count);
      await chmod(repository.folder, 0o755);
      repositories.set(name, repository);
    }

    project = await composeProject({ chartsDir, chartsLogDir: logDir, env: { LOG_LEVEL: "warn" } });
    upStartedAt = Date.now();
    await project.compose(["up", "-d", "--no-build"]);
  }, 600_000);

  afterAll(async () => {
    await mkdir(join(workspaceRoot, ".cache", "test-results"), { recursive: true });
    await writeFile(join(workspaceRoot, ".cache", "test-results", "containers.json"), `${JSON.stringify(figures, null, 2)}\n`);
    if (project !== undefined) {
      await writeFile(join(workspaceRoot, ".cache", "test-results", "containers-logs.txt"), await project.logs(400));
    }
    await project?.down().catch(() => undefined);
    if (root !== "") await removeTempDir(root);
  }, 300_000);

  test("every service turns healthy, as uid 1000 on a read-only root file system", async () => {
    const p = stack();
    await waitFor(
      async () => {
        const containers = await p.containers();
        const watched = containers.filter((c) => c.health !== null);
        return watched.length >= charthouseServices.length + 1 && watched.every((c) => c.health === "healthy");
      },
      { what: "every container with a health check to be healthy", timeoutMs: 180_000, intervalMs: 500 },
    );
    report("up_to_healthy_seconds", Number(((Date.now() - upStartedAt) / 1000).toFixed(1)));
    for (const c of (await p.containers()).filter((x) => charthouseServices.includes(x.service))) {
      expect(c.user, c.name).toBe("1000:1000");
      expect(c.readOnly, c.name).toBe(true);
    }
    const api = (await p.containers("registry-api"))[0]!;
    expect((await docker(["exec", api.id, "node", "-e", "process.stdout.write(String(process.getuid()))"])).trim()).toBe("1000");
    const write = await docker(["exec", api.id, "node", "-e", "require('fs').writeFileSync('/app/x', '1')"]).then(
      () => "written",
      (err: Error) => err.message,
    );
    expect(write).toMatch(/EROFS|read-only/);
  }, 240_000);

  test("a registry added through the API reaches ready for every version, with README and values", async () => {
    const p = stack();
    const repository = repositories.get("basic")!;
    const id = await addComposeRegistry(p, "basic");
    registryIds.set("basic", id);
    const done = await awaitAllReady(p, id, repository, 120_000);
    expect(done.duplicates).toBe(0);
    expect(done.withReadmeAndValues).toBe(30);
    const sample = repository.versions()[7]!;
    const { status, body } = await p.api<ChartVersionDetailJson>("GET", versionPath(id, sample.chart, sample.version));
    expect(status).toBe(200);
    expect(body.has_readme && body.has_values).toBe(true);
  }, 180_000);

  test("scaled: 3 index-fetchers, 3 downloaders, 2 extractors sync 2,000 versions, each archive fetched once", async () => {
    const p = stack();
    await p.compose(["up", "-d", "--no-build", "--no-recreate", "--scale", "index-fetcher=3", "--scale", "chart-downloader=3", "--scale", "metadata-extractor=2"]);
    expect((await p.containers("chart-downloader")).filter((c) => c.running)).toHaveLength(3);
    const repository = repositories.get("scaled")!;
    const started = Date.now();
    const id = await addComposeRegistry(p, "scaled");
    registryIds.set("scaled", id);
    const done = await awaitAllReady(p, id, repository, 300_000);
    const seconds = (Date.now() - started) / 1000;
    const fetches = await archiveFetches(join(logDir, "access.log"), "/scaled/");
    const fetchedTwice = [...fetches].filter(([, n]) => n !== 1);
    report("scaled_run", {
      versions: done.rows,
      seconds: Number(seconds.toFixed(1)),
      versions_per_second: Number((done.rows / seconds).toFixed(1)),
      duplicate_rows: done.duplicates,
      archives_fetched: fetches.size,
      fetches_per_version: Number(([...fetches.values()].reduce((a, b) => a + b, 0) / done.rows).toFixed(3)),
    });
    expect(done.duplicates).toBe(0);
    expect(done.rows).toBe(2000);
    expect(done.withReadmeAndValues).toBe(2000);
    expect(fetches.size).toBe(2000);
    expect(fetchedTwice).toEqual([]);
  }, 420_000);

  test("worker containers crashed mid-sync come back by the restart policy; the sync ends as a clean run's", async () => {
    const p = stack();
    const repository = repositories.get("crash")!;
    const id = await addComposeRegistry(p, "crash");
    registryIds.set("crash", id);
    const recoveries: Record<string, number[]> = {};
    for (const service of workers) {
      // Mid-sync: some versions in, many to go.
      await waitFor(async () => ((await registryFigures(p, id)).rows > 0 ? true : false), { what: "the sync to begin", timeoutMs: 60_000, intervalMs: 100 });
      // Every copy of the service at once: nothing of it is left to carry the work.
      const running = (await p.containers(service)).filter((c) => c.running);
      const seconds = await Promise.all(running.map((container) => crashAndAwaitRestart(p, container)));
      recoveries[service] = seconds.map((s) => Number(s.toFixed(1)));
    }
    const mid = await waitFor(() => registryFigures(p, id), { what: "the registry's figures", timeoutMs: 30_000, intervalMs: 500 });
    report("crash_recovery_seconds", recoveries);
    report("crash_state_after_kills", mid.byState);
    const started = Date.now();
    const done = await awaitAllReady(p, id, repository, 240_000);
    report("crash_settled_seconds_after_last_kill", Number(((Date.now() - started) / 1000).toFixed(1)));
    expect(done.duplicates).toBe(0);
    expect(done.rows).toBe(600);
    expect(done.charts).toBe(40);
    expect(done.withReadmeAndValues).toBe(600);
  }, 420_000);

  test("Postgres and NATS containers restarted mid-sync: every version still ends ready", async () => {
    const p = stack();
    const repository = repositories.get("restart")!;
    const id = await addComposeRegistry(p, "restart");
    registryIds.set("restart", id);
    const restarts: Record<string, number> = {};
    for (const service of ["postgres", "nats"]) {
      await waitFor(async () => ((await registryFigures(p, id)).rows > 0 ? true : false), { what: "the sync to begin", timeoutMs: 60_000, intervalMs: 100 });
      const container = (await p.containers(service))[0]!;
      const started = Date.now();
      await docker(["restart", "-t", "10", container.id]);
      await waitFor(
        async () => {
          const { status } = await p.api("GET", `/registries/${id}`).catch(() => ({ status: 0 }));
          return status === 200;
        },
        { what: `the API to answer after restarting ${service}`, timeoutMs: 120_000, intervalMs: 250 },
      );
      restarts[service] = Number(((Date.now() - started) / 1000).toFixed(1));
    }
    report("peer_restart_seconds", restarts);
    const started = Date.now();
    const done = await awaitAllReady(p, id, repository, 240_000);
    report("peer_restart_settled_seconds", Number(((Date.now() - started) / 1000).toFixed(1)));
    expect(done.duplicates).toBe(0);
    expect(done.rows).toBe(300);
    expect(done.withReadmeAndValues).toBe(300);
    // Every registry of the run still holds exactly what its index publishes, all ready.
    for (const [name, registryId] of registryIds) {
      const after = await registryFigures(p, registryId);
      const expected = repositories.get(name)!.versions().length;
      expect({ name, rows: after.rows, ready: after.byState["ready"], duplicates: after.duplicates }).toEqual({ name, rows: expected, ready: expected, duplicates: 0 });
    }
  }, 420_000);

  test("SIGTERM stops every service cleanly within the grace period", async () => {
    const p = stack();
    const started = Date.now();
    await p.compose(["stop", "-t", "30", ...charthouseServices]);
    const seconds = (Date.now() - started) / 1000;
    report("compose_stop_seconds", Number(seconds.toFixed(1)));
    const stopped = (await p.containers()).filter((c) => charthouseServices.includes(c.service));
    expect(stopped.filter((c) => c.running || c.exitCode !== 0).map((c) => `${c.name}: ${c.exitCode}`)).toEqual([]);
    expect(seconds).toBeLessThan(30);
  }, 120_000);
});
