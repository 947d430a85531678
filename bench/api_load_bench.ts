/**
 * The REST API under load: 20,000 ready versions over 1,000 charts, 50 concurrent clients for
 * 30 s, each request one of: a chart search (`GET /charts?q=`), a chart's versions, a version's
 * values, and `GET /healthz` of the same server as the peer (the HTTP stack alone, no query).
 * The whole stack runs (`npm start`'s services). The catalogue is written straight into
 * Postgres: read latency does not depend on how the rows got there, and syncing 20,000
 * archives would take the run's time.
 * Prints p50 and p99 per route, requests per second, and the CPU per request of registry-api, of
 * the Postgres backends serving its queries, and of this client: on a machine shared by all
 * three, their sum is what bounds the requests per second.
 */
import { Agent, request } from "node:http";
import { readdir, readFile, readlink } from "node:fs/promises";
import pg from "pg";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { recordGoals, type GoalRow } from "./support/goals.ts";
import { resetStatements, topStatements } from "./support/postgres_profile.ts";
import { cpuSeconds, percentile } from "./support/measures.ts";

const CHARTS = 1_000;
const VERSIONS_PER_CHART = 20;
const CLIENTS = 50;
const SECONDS = 30;
/** The goal for every route. */
const GOAL_P99_MS = 50;

function valuesYaml(chart: number, version: number): string {
  const lines = [`# Default values for chart-${chart} ${version}`, "replicaCount: 1", "image:", `  repository: example/chart-${chart}`, `  tag: "1.${version}.0"`];
  for (let i = 0; i < 60; i++) lines.push(`setting${i}:`, `  enabled: ${i % 2 === 0}`, `  value: "value ${i} of chart ${chart}"`);
  return `${lines.join("\n")}\n`;
}

async function seed(databaseUrl: string, registryId: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const names = Array.from({ length: CHARTS }, (_, i) => `chart-${String(i).padStart(4, "0")}`);
    const charts = await client.query<{ id: string; name: string }>(
      `INSERT INTO charts (registry_id, name, description, keywords, latest_version, app_version, versions)
       SELECT $1, n, 'A chart for ' || n || ' workloads', ARRAY['bench', n], '1.${VERSIONS_PER_CHART - 1}.0', '2.0.0', $3
         FROM unnest($2::text[]) n RETURNING id, name`,
      [registryId, names, VERSIONS_PER_CHART],
    );
    for (const [index, chart] of charts.rows.entries()) {
      const versions = Array.from({ length: VERSIONS_PER_CHART }, (_, v) => `1.${v}.0`);
      await client.query(
        `INSERT INTO chart_versions (chart_id, registry_id, version, created, state, archive_sha256, size, chart_yaml, readme, values_yaml)
         SELECT $1::uuid, $2::uuid, v, now(), 'ready', md5(v || $1::text) || md5($1::text || v), 4096,
                jsonb_build_object('apiVersion', 'v2', 'name', $3::text, 'version', v, 'appVersion', '2.0.0', 'description', 'A chart'),
                '# ' || $3::text || E'\\n\\nA README.', y
           FROM unnest($4::text[], $5::text[]) AS t(v, y)`,
        [chart.id, registryId, chart.name, versions, versions.map((_, v) => valuesYaml(index, v))],
      );
    }
    await client.query("ANALYZE charts; ANALYZE chart_versions");
  } finally {
    await client.end();
  }
}

/** The local ports of a process's TCP connections (from /proc: its socket inodes, then the TCP tables). */
async function localTcpPorts(pid: number): Promise<Set<number>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode !== undefined) inodes.add(inode);
  }
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"]) {
    const lines = (await readFile(`/proc/${pid}/net/${table}`, "utf8").catch(() => "")).split("\n").slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      if (fields.length > 9 && inodes.has(fields[9]!)) ports.add(parseInt(fields[1]!.split(":")[1]!, 16));
    }
  }
  return ports;
}

/**
 * CPU seconds used so far by each Postgres backend serving registry-api's pool (found by its
 * connections' ports), not the other services' backends. Postgres runs on this machine.
 */
async function backendCpuSeconds(client: pg.Client, apiPid: number): Promise<Map<number, number>> {
  const ports = await localTcpPorts(apiPid);
  const backends = await client.query<{ pid: number; client_port: number | null }>(
    "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
  );
  const seconds = new Map<number, number>();
  for (const { pid, client_port: port } of backends.rows) {
    if (port === null || !ports.has(port)) continue;
    const used = await cpuSeconds(pid).catch(() => null);
    if (used !== null) seconds.set(pid, used);
  }
  return seconds;
}

/** CPU seconds the backends used between two readings (a backend new since the first counts whole). */
function backendCpuBetween(before: ReadonlyMap<number, number>, after: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const [pid, used] of after) sum += used - (before.get(pid) ?? 0);
  return sum;
}

const charthouse = await startCharthouse();
try {
  const created = await charthouse.api<{ id: string }>("POST", "/registries", {
    name: "load",
    url: "http://127.0.0.1:9/charts",
    sync_interval_seconds: 0,
  });
  const registryId = created.body.id;
  await seed(charthouse.databaseUrl, registryId);

  const api = new URL(charthouse.apiUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const get = (path: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: api.hostname, port: api.port, path, agent, headers: { authorization: `Bearer ${charthouse.token}` } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end();
    });

  const routes: Record<string, (i: number) => string> = {
    "GET /charts?q=": (i) => `/api/v1/charts?q=${String(i % CHARTS).padStart(4, "0")}&limit=20`,
    "GET a chart's versions": (i) => `/api/v1/registries/${registryId}/charts/chart-${String(i % CHARTS).padStart(4, "0")}/versions`,
    "GET a version's values": (i) =>
      `/api/v1/registries/${registryId}/charts/chart-${String(i % CHARTS).padStart(4, "0")}/versions/1.${i % VERSIONS_PER_CHART}.0/values`,
    "GET /healthz (peer: no query)": () => "/healthz",
  };
  const names = Object.keys(routes);
  const latencies = new Map(names.map((n) => [n, [] as number[]]));
  const failures: string[] = [];
  for (const name of names) if ((await get(routes[name]!(7))) !== 200) throw new Error(`${name} did not answer 200`);

  const apiPid = charthouse.stack.processes.find((p) => p.service === "registry-api")!.child.pid!;
  const observer = new pg.Client({ connectionString: charthouse.databaseUrl });
  await observer.connect();
  const backendsBefore = await backendCpuSeconds(observer, apiPid);
  const clientBefore = process.cpuUsage();
  await resetStatements(charthouse.databaseUrl);
  const cpuBefore = await cpuSeconds(apiPid);
  const until = performance.now() + SECONDS * 1000;
  let counter = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const i = counter++;
        const name = names[i % names.length]!;
        const started = performance.now();
        const status = await get(routes[name]!(Math.floor(i / names.length)));
        latencies.get(name)!.push(performance.now() - started);
        if (status !== 200) failures.push(`${name}: ${status}`);
      }
    }),
  );
  const cpu = (await cpuSeconds(apiPid)) - cpuBefore;
  const clientUsage = process.cpuUsage(clientBefore);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
  const postgresCpu = backendCpuBetween(backendsBefore, await backendCpuSeconds(observer, apiPid));
  await observer.end();
  agent.destroy();

  const total = [...latencies.values()].reduce((n, l) => n + l.length, 0);
  const lines = [
    `${CHARTS * VERSIONS_PER_CHART} ready versions over ${CHARTS} charts; ${CLIENTS} clients for ${SECONDS} s, whole stack running; ${total} requests, ${failures.length} not 200`,
    "",
    `| route | requests | p50 (ms) | p99 (ms) | p99 / goal (${GOAL_P99_MS} ms) |`,
    "| --- | --- | --- | --- | --- |",
  ];
  const goal = "4 API under load";
  const target = `< ${GOAL_P99_MS} ms`;
  const rows: GoalRow[] = [];
  for (const name of names) {
    const sorted = [...latencies.get(name)!].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const peer = name.includes("peer");
    const judged = peer ? "-" : `${(p99 / GOAL_P99_MS).toFixed(2)} (${p99 < GOAL_P99_MS ? "holds" : "missed"})`;
    lines.push(`| ${name} | ${sorted.length} | ${p50.toFixed(1)} | ${p99.toFixed(1)} | ${judged} |`);
    rows.push({ goal, figure: `p99 ${name} (ms)`, charthouse: p99, target: peer ? "-" : target, holds: peer ? null : p99 < GOAL_P99_MS && failures.length === 0 });
    rows.push({ goal, figure: `p50 ${name} (ms)`, charthouse: p50, target: "-", holds: null });
  }
  const perRequestMs = (seconds: number): number => (seconds * 1000) / total;
  lines.push(
    "",
    `Requests per second: ${(total / SECONDS).toFixed(0)}; CPU per request (all routes): registry-api ${perRequestMs(cpu).toFixed(2)} ms (${cpu.toFixed(1)} s), ` +
      `Postgres (its backends) ${perRequestMs(postgresCpu).toFixed(2)} ms (${postgresCpu.toFixed(1)} s), this client ${perRequestMs(clientCpu).toFixed(2)} ms (${clientCpu.toFixed(1)} s).`,
  );
  rows.push(
    { goal, figure: "requests per second", charthouse: total / SECONDS, target: "-", holds: null },
    { goal, figure: "registry-api CPU per request (ms)", charthouse: perRequestMs(cpu), target: "-", holds: null },
    { goal, figure: "Postgres CPU per request (ms)", charthouse: perRequestMs(postgresCpu), target: "-", holds: null },
  );
  if (failures.length > 0) {
    lines.push(`First failures: ${failures.slice(0, 5).join("; ")}`);
    // Why, as the stack logged it (pino: level 50 is error).
    const logged = charthouse.logs().split("\n").filter((line) => line.includes('"level":50'));
    lines.push(`Errors logged: ${logged.length}`, ...logged.slice(0, 3));
  }
  lines.push("", ...(await topStatements(charthouse.databaseUrl)));
  process.stdout.write(`${lines.join("\n")}\n`);
  await recordGoals("api_load", rows);
} finally {
  await charthouse.stop();
}
