/**
 * Downloads and extraction at wire speed: 2,000 charts made by `helm create` and `helm package`
 * (100 charts, 20 versions each) served by nginx. Charthouse, whole stack running: from
 * `POST /registries` to every version `ready`. Beside it, in the same run:
 * - the helm loop a user would write: `helm pull` then `helm show values` per version (timed on
 *   a sample of 100 versions);
 * - a floor: one process that GETs, sha256-hashes and untars every archive (16 at a time).
 * Reports versions/s, CPU seconds per version of each service, and bytes written to JetStream
 * per version. Run with `npm run bench`.
 */
import { createHash } from "node:crypto";
import { cp, readFile, writeFile } from "node:fs/promises";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { connect } from "nats";
import tar from "tar-stream";
import { makeHelmHome, makeTempDir, removeTempDir, runHelm, startNginx, waitFor } from "@charthouse/testing";
import pg from "pg";
import { startCharthouse, type CharthouseUnderTest } from "../test/support/running_charthouse.ts";
import { recordGoals, type GoalRow } from "./support/goals.ts";
import { cpuBetween, pidsMatching, sampleCpu } from "./support/measures.ts";
import { resetStatements, topStatements } from "./support/postgres_profile.ts";

/** 100 charts; fewer (BENCH_DOWNLOAD_CHARTS) for a quick run while profiling. */
const CHARTS = Number(process.env["BENCH_DOWNLOAD_CHARTS"] ?? 100);
const VERSIONS_PER_CHART = 20;
const HELM_SAMPLE = Math.min(100, CHARTS);
const FLOOR_CONCURRENCY = 16;
const TOTAL = CHARTS * VERSIONS_PER_CHART;

/** 100 charts by `helm create`, each packaged in 20 versions by `helm package` (many charts per call), and `helm repo index`. */
async function makeRepository(dir: string): Promise<void> {
  const work = await makeTempDir("bench-charts-");
  try {
    await runHelm(["create", "base"], { cwd: work });
    const base = await readFile(join(work, "base", "Chart.yaml"), "utf8");
    const chartDirs: string[] = [];
    for (let c = 0; c < CHARTS; c++) {
      for (let v = 0; v < VERSIONS_PER_CHART; v++) {
        const name = `app-${String(c).padStart(3, "0")}`;
        const chartDir = join(work, `${name}-${v}`, name);
        await cp(join(work, "base"), chartDir, { recursive: true });
        const chartYaml = base.replace(/^name:.*$/m, `name: ${name}`).replace(/^version:.*$/m, `version: 1.${v}.0`);
        await writeFile(join(chartDir, "Chart.yaml"), chartYaml);
        chartDirs.push(chartDir);
      }
    }
    for (let i = 0; i < chartDirs.length; i += 200) await runHelm(["package", ...chartDirs.slice(i, i + 200), "--destination", dir], { cwd: work });
    await runHelm(["repo", "index", dir], { cwd: work });
  } finally {
    await removeTempDir(work);
  }
}

/** GETs, hashes and untars every archive of the index, `FLOOR_CONCURRENCY` at a time; returns seconds. */
async function floor(baseUrl: string, files: readonly string[]): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: FLOOR_CONCURRENCY });
  const url = new URL(baseUrl);
  const one = (file: string): Promise<void> =>
    new Promise((resolve, reject) => {
      request({ host: url.hostname, port: url.port, path: `/${file}`, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const bytes = Buffer.concat(chunks);
          createHash("sha256").update(bytes).digest("hex");
          const extract = tar.extract();
          extract.on("entry", (_header, stream, next) => {
            stream.on("end", next);
            stream.resume();
          });
          pipeline(Readable.from([bytes]), createGunzip(), extract).then(resolve, reject);
        });
      })
        .on("error", reject)
        .end();
    });
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: FLOOR_CONCURRENCY }, async () => {
      while (next < files.length) await one(files[next++]!);
    }),
  );
  agent.destroy();
  return (performance.now() - started) / 1000;
}

const root = await makeTempDir("charthouse-download-bench-");
await makeRepository(root);
const files = (await readFile(join(root, "index.yaml"), "utf8")).match(/app-\d{3}-1\.\d+\.0\.tgz/g)!;
const archives = [...new Set(files)];
if (archives.length !== TOTAL) throw new Error(`Expected ${TOTAL} archives in the index, found ${archives.length}`);
const nginx = await startNginx({ root });

// The helm loop, on a sample spread over the charts.
const helmHome = await makeHelmHome();
await runHelm(["repo", "add", "bench", nginx.url], { home: helmHome });
const pulls = await makeTempDir("bench-pulls-");
const helmStarted = performance.now();
for (let i = 0; i < HELM_SAMPLE; i++) {
  const [, chart, version] = /^(app-\d{3})-(1\.\d+\.0)\.tgz$/.exec(archives[(i * 37) % TOTAL]!)!;
  await runHelm(["pull", `bench/${chart}`, "--version", version!, "--destination", pulls], { home: helmHome });
  await runHelm(["show", "values", join(pulls, `${chart}-${version}.tgz`)], { home: helmHome });
}
const helmPerSecond = HELM_SAMPLE / ((performance.now() - helmStarted) / 1000);
await removeTempDir(pulls);

const floorPerSecond = TOTAL / (await floor(nginx.url, archives));

/**
 * The processes whose CPU is counted: each service (its copies together), the stack's own
 * nats-server, and the Postgres backends of the stack's database (its pools keep them open).
 */
async function processGroups(charthouse: CharthouseUnderTest): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[]>();
  for (const p of charthouse.stack.processes) groups.set(p.service, [...(groups.get(p.service) ?? []), p.child.pid!]);
  const natsPort = new URL(charthouse.natsUrl).port;
  groups.set("nats-server", await pidsMatching((argv) => argv[0]!.endsWith("nats-server") && argv.includes(natsPort)));
  const db = new pg.Client({ connectionString: charthouse.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
    groups.set("postgres (this database)", rows.map((r) => r.pid));
  } finally {
    await db.end();
  }
  return groups;
}

const charthouse = await startCharthouse();
const nats = await connect({ servers: charthouse.natsUrl });
try {
  const jsm = await nats.jetstreamManager();
  const storedBefore = (await jsm.getAccountInfo()).storage;
  const groups = await processGroups(charthouse);
  const cpuBefore = await sampleCpu(groups);
  await resetStatements(charthouse.databaseUrl);
  const started = performance.now();
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: "downloads", url: nginx.url, sync_interval_seconds: 0 });
  if (created.status !== 201) throw new Error(`POST /registries answered ${created.status}`);
  await waitFor(
    async () => {
      const { body } = await charthouse.api<{ status: { versions_ready: number; versions_failed: number } }>("GET", `/registries/${created.body.id}`);
      if (body.status.versions_failed > 0) throw new Error(`${body.status.versions_failed} versions failed`);
      return body.status.versions_ready === TOTAL;
    },
    { what: `all ${TOTAL} versions to be ready`, timeoutMs: 900_000, intervalMs: 250 },
  );
  const seconds = (performance.now() - started) / 1000;
  const written = (await jsm.getAccountInfo()).storage - storedBefore;
  const perSecond = TOTAL / seconds;
  // Listed again: the stack's pools open Postgres backends as the work grows.
  const cpuByService = new Map(cpuBetween(cpuBefore, await sampleCpu(await processGroups(charthouse))).map((c) => [c.name, c.seconds]));

  const lines = [
    `${TOTAL} charts by helm create/helm package (${CHARTS} charts x ${VERSIONS_PER_CHART} versions) served by nginx; whole stack running`,
    "",
    "| measure | Charthouse | peer | Charthouse / peer | goal |",
    "| --- | --- | --- | --- | --- |",
    `| versions/s, helm loop (pull + show values, ${HELM_SAMPLE} sampled) | ${perSecond.toFixed(1)} | ${helmPerSecond.toFixed(2)} | ${(perSecond / helmPerSecond).toFixed(1)} | >= 20: ${perSecond / helmPerSecond >= 20 ? "holds" : "missed"} |`,
    `| versions/s, floor (GET + sha256 + untar, one process, ${FLOOR_CONCURRENCY} at a time) | ${perSecond.toFixed(1)} | ${floorPerSecond.toFixed(1)} | ${(perSecond / floorPerSecond).toFixed(3)} | within 3x (>= 0.333): ${perSecond / floorPerSecond >= 1 / 3 ? "holds" : "missed"} |`,
    "",
    `From POST /registries to all ready: ${seconds.toFixed(1)} s. Written to JetStream (archives, messages, events): ${(written / TOTAL / 1024).toFixed(1)} KiB per version.`,
    `CPU seconds per version: ${[...cpuByService].map(([service, cpu]) => `${service} ${((cpu * 1000) / TOTAL).toFixed(2)} ms`).join(", ")}.`,
  ];
  lines.push("", ...(await topStatements(charthouse.databaseUrl)));
  process.stdout.write(`${lines.join("\n")}\n`);
  const goal = "2 downloads";
  const rows: GoalRow[] = [
    {
      goal,
      figure: "versions/s vs helm loop",
      charthouse: perSecond,
      peer: { name: "helm pull + show values", value: helmPerSecond },
      target: ">= 20x",
      holds: perSecond / helmPerSecond >= 20,
    },
    {
      goal,
      figure: "versions/s vs floor",
      charthouse: perSecond,
      peer: { name: "GET + sha256 + untar", value: floorPerSecond },
      target: ">= 1/3 of floor",
      holds: perSecond / floorPerSecond >= 1 / 3,
    },
    ...[...cpuByService].map(([service, cpu]): GoalRow => ({
      goal,
      figure: `CPU ms per version, ${service}`,
      charthouse: (cpu * 1000) / TOTAL,
      target: "reported",
      holds: null,
    })),
    { goal, figure: "KiB to NATS per version", charthouse: written / TOTAL / 1024, target: "reported", holds: null },
  ];
  await recordGoals("download", rows);
} finally {
  await nats.close();
  await charthouse.stop();
  await nginx.stop();
  await removeTempDir(root);
}
