/**
 * A fleet of unchanged registries: N registries at a 10 s interval, every re-sync a conditional GET
 * answered 304, so the demand is N/10 unchanged syncs per second. The whole stack runs (`npm
 * start`'s services); registries are created through POST /registries/bulk and spread over
 * INDEXES distinct index.yaml files served by one nginx (ETag / Last-Modified on). After the first
 * syncs (and their downloads) settle, a window measures the unchanged syncs finished per second,
 * how many were 304s, the registries left overdue, and the CPU seconds per sync of the scheduler,
 * the index-fetcher copies, the notifier and registry-api (both read every announced sync's events),
 * nats-server and Postgres (this database's backends, and every `postgres` process of the shared
 * server). Steps grow the same fleet (1,000, 3,000, 10,000) until
 * one falls behind, first with one index-fetcher, then on a new stack with two. FLEET_STEPS,
 * FLEET_COPIES and FLEET_WINDOW_SECONDS change the ramp.
 * Prints one table and records the goal rows; run with `npm run bench -- fleet_sync`.
 */
import { makeTempDir, removeTempDir, startNginx, waitFor } from "@charthouse/testing";
import pg from "pg";
import { makeFaultRepository } from "../test/support/fault_repository.ts";
import { startCharthouse, type CharthouseUnderTest } from "../test/support/running_charthouse.ts";
import { formatFigure, recordGoals, type GoalRow } from "./support/goals.ts";
import { cpuBetween, loadAverage, pidsMatching, sampleCpu, type ProcessCpu } from "./support/measures.ts";

const STEPS = (process.env["FLEET_STEPS"] ?? "1000,3000,10000").split(",").map(Number);
const COPIES = (process.env["FLEET_COPIES"] ?? "1,2").split(",").map(Number);
const WINDOW_SECONDS = Number(process.env["FLEET_WINDOW_SECONDS"] ?? 30);
const INTERVAL_SECONDS = 10;
/** Distinct index.yaml files the fleet is spread over (registry i reads index i % INDEXES). */
const INDEXES = 100;
const PER_REQUEST = 1_000;
/** A registry whose next sync is this late (or a sync requested this long ago and unfinished) is behind. */
const OVERDUE_SECONDS = 5;

interface StepResult {
  fetchers: number;
  registries: number;
  demand: number;
  windowSeconds: number;
  unchanged: number;
  notModified: number;
  other: number;
  overdue: number;
  queueMsP50: number;
  serviceMsP50: number;
  serviceMsP99: number;
  cpu: ProcessCpu[];
  /** Transactions this database committed in the window (pg_stat_database.xact_commit). */
  commits: number;
  load: string;
}

async function processGroups(charthouse: CharthouseUnderTest, db: pg.Client): Promise<Map<string, number[]>> {
  const pidsOf = (service: string) => charthouse.stack.processes.filter((p) => p.service === service).map((p) => p.child.pid!);
  const natsPort = new URL(charthouse.natsUrl).port;
  const { rows } = await db.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  return new Map([
    ["scheduler", pidsOf("scheduler")],
    ["index-fetcher", pidsOf("index-fetcher")],
    // An announced sync's events reach these two as well (a quiet 304 sends none).
    ["notifier", pidsOf("notifier")],
    ["registry-api", pidsOf("registry-api")],
    ["nats-server", await pidsMatching((argv) => argv[0]!.endsWith("nats-server") && argv.includes(natsPort))],
    ["postgres (this database)", rows.map((r) => r.pid)],
    ["postgres (all)", await pidsMatching((argv) => argv[0]!.startsWith("postgres"))],
  ]);
}

/** Registries behind their schedule: due for longer than OVERDUE_SECONDS, or with a sync requested that long ago unfinished. */
async function overdue(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ overdue: string }>(
    `SELECT count(*) AS overdue FROM registries r LEFT JOIN sync_runs s ON s.id = r.active_sync_id
      WHERE (r.active_sync_id IS NULL AND r.next_sync_at < now() - make_interval(secs => $1))
         OR (s.finished_at IS NULL AND s.requested_at < now() - make_interval(secs => $1))`,
    [OVERDUE_SECONDS],
  );
  return Number(rows[0]!.overdue);
}

async function committed(db: pg.Client): Promise<number> {
  // The statistics a backend collects reach pg_stat_database when it reports them: a fresh snapshot is read.
  await db.query("SELECT pg_stat_clear_snapshot()");
  const { rows } = await db.query<{ commits: string }>("SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()");
  return Number(rows[0]!.commits);
}

async function createRegistries(charthouse: CharthouseUnderTest, from: number, to: number, indexUrl: (i: number) => string): Promise<void> {
  for (let first = from; first < to; first += PER_REQUEST) {
    const registries = [];
    for (let i = first; i < Math.min(to, first + PER_REQUEST); i++) {
      registries.push({ name: `fleet-${i}`, url: indexUrl(i), sync_interval_seconds: INTERVAL_SECONDS });
    }
    const { status, body } = await charthouse.api("POST", "/registries/bulk", { registries });
    if (status !== 201) throw new Error(`POST /registries/bulk answered ${status}: ${JSON.stringify(body).slice(0, 500)}`);
  }
}

/** Waits until every registry synced once and the downloads and extractions that started settle. */
async function waitForFirstSyncs(db: pg.Client, registries: number): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await db.query<{ synced: string }>("SELECT count(*) AS synced FROM registries WHERE last_success_at IS NOT NULL");
      return Number(rows[0]!.synced) >= registries;
    },
    { what: `${registries} registries to finish their first sync`, timeoutMs: 600_000, intervalMs: 500 },
  );
  await waitFor(
    async () => {
      const { rows } = await db.query<{ busy: string }>("SELECT count(*) AS busy FROM chart_versions WHERE state IN ('discovered', 'downloaded')");
      return Number(rows[0]!.busy) === 0;
    },
    { what: "the first syncs' versions to be ready", timeoutMs: 600_000, intervalMs: 500 },
  );
}

async function measureWindow(charthouse: CharthouseUnderTest, db: pg.Client, fetchers: number, registries: number): Promise<StepResult> {
  const groups = await processGroups(charthouse, db);
  const [{ now: startedAt }] = (await db.query<{ now: Date }>("SELECT clock_timestamp() AS now")).rows as [{ now: Date }];
  const commitsBefore = await committed(db);
  const before = await sampleCpu(groups);
  const wallStarted = performance.now();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000));
  const after = await sampleCpu(groups);
  const commits = (await committed(db)) - commitsBefore;
  const windowSeconds = (performance.now() - wallStarted) / 1000;
  const load = await loadAverage();
  const [{ now: endedAt }] = (await db.query<{ now: Date }>("SELECT clock_timestamp() AS now")).rows as [{ now: Date }];
  const { rows } = await db.query<{ unchanged: string; not_modified: string; other: string; queue_p50: number; service_p50: number; service_p99: number }>(
    `SELECT count(*) FILTER (WHERE outcome = 'unchanged') AS unchanged,
            count(*) FILTER (WHERE outcome = 'unchanged' AND http_status = 304) AS not_modified,
            count(*) FILTER (WHERE outcome IS DISTINCT FROM 'unchanged') AS other,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - requested_at) * 1000) AS queue_p50,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS service_p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms) AS service_p99
       FROM sync_runs WHERE finished_at >= $1 AND finished_at < $2`,
    [startedAt, endedAt],
  );
  const late = await overdue(db);
  const counts = rows[0]!;
  return {
    fetchers,
    registries,
    demand: registries / INTERVAL_SECONDS,
    windowSeconds,
    unchanged: Number(counts.unchanged),
    notModified: Number(counts.not_modified),
    other: Number(counts.other),
    overdue: late,
    queueMsP50: counts.queue_p50,
    serviceMsP50: counts.service_p50,
    serviceMsP99: counts.service_p99,
    cpu: cpuBetween(before, after),
    commits,
    load,
  };
}

/** Whether a step kept up: the unchanged syncs reach the demand (5% for the window's edges) and nothing fell behind. */
function keptUp(step: StepResult): boolean {
  return step.unchanged / step.windowSeconds >= 0.95 * step.demand && step.overdue <= step.registries * 0.01;
}

async function runFleet(fetchers: number, indexUrl: (i: number) => string): Promise<StepResult[]> {
  const charthouse = await startCharthouse({ copiesOf: { "index-fetcher": fetchers } });
  const db = new pg.Client({ connectionString: charthouse.databaseUrl });
  const results: StepResult[] = [];
  try {
    await db.connect();
    let created = 0;
    for (const registries of STEPS) {
      await createRegistries(charthouse, created, registries, indexUrl);
      created = registries;
      await waitForFirstSyncs(db, registries);
      // The first syncs' backlog is worked off (a fleet that keeps up has none left), then one
      // interval lets the schedule settle into its rhythm.
      await waitFor(async () => (await overdue(db)) === 0, { what: "the backlog", timeoutMs: 2 * INTERVAL_SECONDS * 1000, intervalMs: 500 }).catch(
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_SECONDS * 1000));
      const step = await measureWindow(charthouse, db, fetchers, registries);
      results.push(step);
      const perSecond = step.unchanged / step.windowSeconds;
      process.stdout.write(
        `${fetchers} index-fetcher(s), ${registries} registries: ${perSecond.toFixed(0)} unchanged syncs/s for a demand of ${step.demand} ` +
          `(${step.notModified} of ${step.unchanged} were 304s, ${step.other} other, ${step.overdue} overdue; load ${step.load})\n`,
      );
      // The ramp has found where this many copies fall behind: a larger fleet would only take longer to set up.
      if (!keptUp(step)) break;
    }
  } finally {
    await db.end().catch(() => undefined);
    await charthouse.stop();
  }
  return results;
}

const root = await makeTempDir("charthouse-fleet-sync-bench-");
const indexes = [];
for (let i = 0; i < INDEXES; i++) {
  const repository = await makeFaultRepository(root, `index-${i}`, { charts: 1 });
  await repository.publishWave(1);
  indexes.push(repository);
}
const nginx = await startNginx({ root });
const indexUrl = (i: number) => `${nginx.url}/index-${i % INDEXES}/`;
const results: StepResult[] = [];
try {
  for (const fetchers of COPIES) results.push(...(await runFleet(fetchers, indexUrl)));
} finally {
  await nginx.stop();
  await removeTempDir(root);
}

const cpuNames = results[0]?.cpu.map((c) => c.name) ?? [];
const msPerSync = (step: StepResult, name: string) => (step.cpu.find((c) => c.name === name)!.seconds * 1000) / Math.max(1, step.unchanged + step.other);
const lines = [
  "",
  `Unchanged syncs of a fleet at a ${INTERVAL_SECONDS} s interval over ${INDEXES} index.yaml files (nginx, validators on); ` +
    `${WINDOW_SECONDS} s windows; CPU in ms and Postgres commits per finished sync (utime+stime from /proc).`,
  "",
  `| index-fetchers | registries | demand /s | unchanged /s | 304s | other | overdue | queue p50 ms | service p50 / p99 ms | ${cpuNames.map((n) => `${n} CPU ms`).join(" | ")} | Postgres commits | load | kept up |`,
  `| --- | --- | --- | --- | --- | --- | --- | --- | --- | ${cpuNames.map(() => "---").join(" | ")} | --- | --- | --- |`,
  ...results.map(
    (s) =>
      `| ${s.fetchers} | ${s.registries} | ${s.demand} | ${(s.unchanged / s.windowSeconds).toFixed(0)} | ${s.notModified} | ${s.other} | ${s.overdue} | ` +
      `${formatFigure(s.queueMsP50)} | ${formatFigure(s.serviceMsP50)} / ${formatFigure(s.serviceMsP99)} | ` +
      `${cpuNames.map((n) => formatFigure(msPerSync(s, n))).join(" | ")} | ${formatFigure(s.commits / Math.max(1, s.unchanged + s.other))} | ${s.load} | ${keptUp(s) ? "yes" : "no"} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);

const rows: GoalRow[] = [];
for (const fetchers of COPIES) {
  const largest = results.filter((s) => s.fetchers === fetchers).at(-1);
  if (!largest) continue;
  const copies = fetchers === 1 ? "1 index-fetcher" : `${fetchers} index-fetchers`;
  rows.push({
    goal: "3 fleet",
    figure: `unchanged syncs/s at ${largest.registries.toLocaleString("en")} registries, ${copies}`,
    charthouse: largest.unchanged / largest.windowSeconds,
    peer: { name: "demand", value: largest.demand },
    target: "kept up: >= 95% of demand, <= 1% overdue",
    holds: keptUp(largest),
  });
  for (const name of cpuNames) {
    rows.push({
      goal: "3 fleet",
      figure: `${name} CPU ms per unchanged sync at ${largest.registries.toLocaleString("en")} registries, ${copies}`,
      charthouse: msPerSync(largest, name),
      target: "-",
      holds: null,
    });
  }
}
await recordGoals("fleet_sync", rows);
