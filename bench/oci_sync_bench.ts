/**
 * Cold and unchanged sync of an OCI registry (Debian's docker-registry): one chart repository
 * with 500 tags and a namespace of 100 chart repositories, beside `skopeo list-tags` plus
 * `helm show chart` for every tag. Prints a table of ratios and the registry requests of each
 * sync; run with `npm run bench`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { buildServices, startStack, workspaceRoot } from "@charthouse/stack";
import {
  freePort,
  helmBinary,
  helmEnvironment,
  makeHelmHome,
  removeTempDir,
  startDockerRegistry,
  startRecordingProxy,
  waitFor,
  type ProxiedRequest,
  type RecordingProxy,
} from "@charthouse/testing";
import { startCharthouse, type CharthouseUnderTest } from "../test/support/running_charthouse.ts";
import { pushRawChart } from "./raw_chart_push.ts";
import { recordGoals } from "./support/goals.ts";
import { median } from "./support/measures.ts";

const tagCount = 500;
const namespaceSize = 100;
const singleRepository = "bench/app";
const namespace = "charts";
/** helm and skopeo processes run at once for the comparison. */
const cliConcurrency = 4;
const pushConcurrency = 16;
const manualRuns = 3;

interface SyncRun {
  id: string;
  trigger: "schedule" | "manual" | "create";
  outcome: string | null;
  duration_ms: number | null;
  finished_at: string | null;
  charts_seen: number | null;
  versions_added: number | null;
  error: unknown;
  notes: unknown[];
}

/** What Charthouse did for one registry URL. */
interface CharthouseFigures {
  coldToFinishedMs: number;
  coldDurationMs: number;
  coldRequests: ProxiedRequest[];
  manualMs: number;
  manualRequests: ProxiedRequest[];
  scheduledMs: number;
  scheduledRequests: ProxiedRequest[];
}

/** What skopeo plus helm took for the same tags. */
interface CliFigures {
  listingMs: number;
  totalMs: number;
  requests: ProxiedRequest[];
}

// Everything started is stopped once, in reverse order, on success, failure or Ctrl-C. After
// Ctrl-C, whatever a step still in progress starts is stopped as soon as it is owned.
const stops: Array<() => Promise<unknown>> = [];
let interrupted = false;
let stopping: Promise<void> | undefined;

async function stopQuietly(stop: () => Promise<unknown>): Promise<void> {
  await stop().catch((err: unknown) => process.stderr.write(`Cleanup failed: ${String(err)}\n`));
}

/** Registers how to stop something the benchmark just started. */
async function own(stop: () => Promise<unknown>): Promise<void> {
  if (!interrupted) {
    stops.push(stop);
    return;
  }
  await stopQuietly(stop);
  throw new Error("Interrupted");
}

/** Stops everything owned so far, newest first; every caller waits for the same clean-up. */
function cleanUp(): Promise<void> {
  stopping ??= (async () => {
    for (let stop = stops.pop(); stop !== undefined; stop = stops.pop()) await stopQuietly(stop);
  })();
  return stopping;
}

/** A line on stderr so a long run shows where it is; the table alone goes to stdout. */
function progress(message: string): void {
  process.stderr.write(`[oci bench ${(performance.now() / 1000).toFixed(1)} s] ${message}\n`);
}

/**
 * Runs `work` on every item, at most `limit` at once; results in input order. After a failure
 * (or Ctrl-C) no further item starts, and it rejects only once the items under way have ended.
 */
async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && !interrupted && next < items.length) {
      const i = next++;
      try {
        results[i] = await work(items[i]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failure !== undefined) throw failure.reason;
  if (interrupted) throw new Error("Interrupted");
  return results;
}

// The helm and skopeo processes under way, so a clean-up can end them before removing their files.
const running = new Set<ChildProcess>();

/** Runs a command to its end: resolves its stdout, rejects with its stderr. */
function runProcess(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.once("error", (err) => {
      running.delete(child);
      reject(err);
    });
    child.once("close", (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(Buffer.concat(stdout).toString("utf8"));
      else reject(new Error(`${file} ${args.join(" ")} ended with ${code ?? signal}: ${Buffer.concat(stderr).toString("utf8").slice(0, 500)}`));
    });
  });
}

/** Ends the processes under way (SIGTERM) and waits until they have. */
async function stopProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("close", () => resolve());
          child.kill("SIGTERM");
        }),
    ),
  );
}

/** The tags of one repository, as `skopeo list-tags` prints them. */
async function skopeoListTags(host: string, repository: string): Promise<string[]> {
  const stdout = await runProcess("skopeo", ["list-tags", `docker://${host}/${repository}`, "--tls-verify=false"]);
  const printed: unknown = JSON.parse(stdout);
  const tags = typeof printed === "object" && printed !== null && "Tags" in printed ? printed.Tags : undefined;
  if (!Array.isArray(tags) || !tags.every((t): t is string => typeof t === "string")) {
    throw new Error(`skopeo list-tags ${host}/${repository} printed no tag list: ${stdout.slice(0, 200)}`);
  }
  return tags;
}

/** `helm show chart` of one tag; checks that helm read the version the tag names. */
async function helmShowChart(host: string, repository: string, tag: string, home: string): Promise<void> {
  const args = ["show", "chart", `oci://${host}/${repository}`, "--version", tag, "--plain-http"];
  const stdout = await runProcess(await helmBinary(), args, helmEnvironment(home));
  if (!new RegExp(`^version: ${tag.replaceAll(".", "\\.")}$`, "m").test(stdout)) {
    throw new Error(`helm ${args.join(" ")} printed another chart: ${stdout.slice(0, 200)}`);
  }
}

/** The repositories under `namespace/`, from /v2/_catalog following `Link` (neither skopeo nor helm lists them). */
async function catalogRepositories(registryUrl: string): Promise<string[]> {
  const repositories: string[] = [];
  for (let url: string | null = `${registryUrl}/v2/_catalog?n=1000`; url !== null; ) {
    const response: Response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const body: unknown = await response.json();
    const listed = typeof body === "object" && body !== null && "repositories" in body ? body.repositories : undefined;
    if (!Array.isArray(listed)) throw new Error(`GET ${url} answered no repository list: ${JSON.stringify(body).slice(0, 200)}`);
    repositories.push(...listed.filter((r): r is string => typeof r === "string" && r.startsWith(`${namespace}/`)));
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    url = next === undefined ? null : new URL(next, registryUrl).href;
  }
  return repositories;
}

/** skopeo list-tags for each repository, then helm show chart for every tag, `cliConcurrency` processes at a time. */
async function skopeoHelmPass(proxy: RecordingProxy, home: string, discover: () => Promise<string[]>): Promise<CliFigures> {
  proxy.clear();
  const started = performance.now();
  const repositories = await discover();
  const listed = await mapConcurrent(repositories, cliConcurrency, async (repository) => ({
    repository,
    tags: await skopeoListTags(proxy.host, repository),
  }));
  const listingMs = performance.now() - started;
  const pulls = listed.flatMap(({ repository, tags }) => tags.map((tag) => ({ repository, tag })));
  await mapConcurrent(pulls, cliConcurrency, ({ repository, tag }) => helmShowChart(proxy.host, repository, tag, home));
  return { listingMs, totalMs: performance.now() - started, requests: proxy.requests() };
}

/** A registry's sync runs, newest first. */
async function syncRuns(charthouse: CharthouseUnderTest, id: string): Promise<SyncRun[]> {
  const { status, body } = await charthouse.api<{ items: SyncRun[] }>("GET", `/registries/${id}/syncs?limit=100`);
  if (status !== 200) throw new Error(`GET /registries/${id}/syncs answered ${status}: ${JSON.stringify(body)}`);
  return body.items;
}

/** Waits until the run `which` picks has finished; throws unless its outcome is `expected`. */
async function finishedRun(
  charthouse: CharthouseUnderTest,
  id: string,
  which: (runs: SyncRun[]) => SyncRun | undefined,
  expected: "updated" | "unchanged",
): Promise<SyncRun> {
  const done = await waitFor(
    async () => {
      const found = which(await syncRuns(charthouse, id));
      return found?.finished_at != null ? found : false;
    },
    { what: `a sync of registry ${id} to finish`, timeoutMs: 120_000, intervalMs: 50 },
  );
  if (done.outcome !== expected) throw new Error(`Expected a sync ending "${expected}", got ${JSON.stringify(done)}`);
  if (done.notes.length > 0) process.stdout.write(`Notes of the ${done.trigger} sync of registry ${id}: ${JSON.stringify(done.notes)}\n`);
  return done;
}

/** Cold sync (from POST /registries) and manual unchanged syncs of one registry URL, through the proxy. */
async function coldAndManualSyncs(
  charthouse: CharthouseUnderTest,
  proxy: RecordingProxy,
  registry: { name: string; url: string; charts: number; versions: number },
): Promise<{ id: string; figures: Omit<CharthouseFigures, "scheduledMs" | "scheduledRequests"> }> {
  proxy.clear();
  const posted = Date.now();
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: registry.name, url: registry.url, sync_interval_seconds: 0 });
  if (created.status !== 201) throw new Error(`POST /registries answered ${created.status}: ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  const cold = await finishedRun(charthouse, id, (runs) => runs.find((r) => r.trigger === "create"), "updated");
  if (cold.versions_added !== registry.versions || cold.charts_seen !== registry.charts) {
    throw new Error(`The cold sync of ${registry.name} found ${cold.charts_seen} charts and ${cold.versions_added} versions`);
  }
  const coldRequests = proxy.requests();

  // "Sync now": the tag lists, plus a HEAD per known tag to notice re-pushed tags.
  const manual: SyncRun[] = [];
  for (let i = 0; i < manualRuns; i++) {
    proxy.clear();
    const { body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${id}/sync`);
    manual.push(await finishedRun(charthouse, id, (runs) => runs.find((r) => r.id === body.sync_id), "unchanged"));
  }
  return {
    id,
    figures: {
      coldToFinishedMs: Date.parse(cold.finished_at!) - posted,
      coldDurationMs: cold.duration_ms ?? NaN,
      coldRequests,
      manualMs: median(manual.map((r) => r.duration_ms ?? NaN)),
      manualRequests: proxy.requests(),
    },
  };
}

/** A sync the scheduler starts one interval (10 s, the least allowed) after the registry's last sync. */
async function scheduledSync(
  charthouse: CharthouseUnderTest,
  proxy: RecordingProxy,
  id: string,
): Promise<Pick<CharthouseFigures, "scheduledMs" | "scheduledRequests">> {
  const before = new Set((await syncRuns(charthouse, id)).map((r) => r.id));
  proxy.clear();
  await charthouse.api("PATCH", `/registries/${id}`, { sync_interval_seconds: 10 });
  try {
    const scheduled = await finishedRun(charthouse, id, (runs) => runs.find((r) => r.trigger === "schedule" && !before.has(r.id)), "unchanged");
    return { scheduledMs: scheduled.duration_ms ?? NaN, scheduledRequests: proxy.requests() };
  } finally {
    await charthouse.api("PATCH", `/registries/${id}`, { sync_interval_seconds: 0 });
  }
}

/** Starts the scheduler as its own process on Charthouse's database and NATS; resolves once it is ready. */
async function startScheduler(charthouse: CharthouseUnderTest): Promise<void> {
  await buildServices(workspaceRoot, ["scheduler"]);
  const port = await freePort();
  const output: string[] = [];
  const scheduler = startStack({
    env: { DATABASE_URL: charthouse.databaseUrl, NATS_URL: charthouse.natsUrl, LOG_LEVEL: "warn" },
    only: ["scheduler"],
    port: () => port,
    output: (_service, _copy, chunk) => output.push(chunk.toString("utf8")),
  });
  await own(() => scheduler.stop());
  await waitFor(
    async () => {
      const exited = scheduler.processes.find((p) => p.child.exitCode !== null);
      if (exited !== undefined) throw new Error(`The scheduler exited with ${exited.child.exitCode}: ${output.join("").slice(-2000)}`);
      return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.ok === true;
    },
    { what: "the scheduler to be ready", timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** The kinds of registry request the request table counts, by column. */
const requestKinds: ReadonlyArray<readonly [string, (r: ProxiedRequest) => boolean]> = [
  ["catalog", (r) => r.path.startsWith("/v2/_catalog")],
  ["tag lists", (r) => /\/tags\/list(\?|$)/.test(r.path)],
  ["manifest GET", (r) => r.method === "GET" && r.path.includes("/manifests/")],
  ["manifest HEAD", (r) => r.method === "HEAD" && r.path.includes("/manifests/")],
  ["blob GET", (r) => r.method === "GET" && r.path.includes("/blobs/")],
];

/** One row of the request table: total, each kind, other, not 2xx; `other` says what the other requests were. */
function requestCounts(requests: readonly ProxiedRequest[]): { cells: string; other: string[] } {
  const kinds = requestKinds;
  const counts = kinds.map(([, test]) => requests.filter(test).length);
  const others = new Map<string, number>();
  for (const r of requests.filter((r) => !kinds.some(([, test]) => test(r)))) {
    const key = `${r.method} ${r.path.split("?")[0]} ${r.status}`;
    others.set(key, (others.get(key) ?? 0) + 1);
  }
  const failed = requests.filter((r) => r.status < 200 || r.status > 299).length;
  const cells = [requests.length, ...counts, requests.length - counts.reduce((a, b) => a + b, 0), failed].join(" | ");
  return { cells, other: [...others].map(([key, n]) => `${key} x${n}`) };
}

async function main(): Promise<void> {
  const registry = await startDockerRegistry();
  await own(() => registry.stop());
  // Charthouse, skopeo and helm all reach the registry through this proxy, which counts their requests.
  const proxy = await startRecordingProxy(registry.url);
  await own(() => proxy.stop());

  const created = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const pushes = [
    ...Array.from({ length: tagCount }, (_, i) => ({ repository: singleRepository, name: "app", version: `1.0.${i}` })),
    ...Array.from({ length: namespaceSize }, (_, i) => {
      const name = `chart-${String(i).padStart(3, "0")}`;
      return { repository: `${namespace}/${name}`, name, version: "1.0.0" };
    }),
  ];
  const pushStarted = performance.now();
  await mapConcurrent(pushes, pushConcurrency, ({ repository, name, version }) =>
    pushRawChart(registry.url, repository, { chart: { name, version, description: `Benchmark chart ${name}` }, created }),
  );
  const pushSeconds = (performance.now() - pushStarted) / 1000;
  progress(`pushed ${pushes.length} charts through the distribution API in ${pushSeconds.toFixed(1)} s`);

  // The comparison first, while nothing else runs.
  const helmHome = await makeHelmHome();
  await own(async () => {
    await stopProcesses();
    await removeTempDir(helmHome);
  });
  const singleCli = await skopeoHelmPass(proxy, helmHome, () => Promise.resolve([singleRepository]));
  progress(`skopeo+helm on ${tagCount} tags: ${(singleCli.totalMs / 1000).toFixed(1)} s`);
  const namespaceCli = await skopeoHelmPass(proxy, helmHome, () => catalogRepositories(proxy.url));
  progress(`skopeo+helm on the namespace: ${(namespaceCli.totalMs / 1000).toFixed(1)} s`);

  // Charthouse: registry-api and oci-fetcher only, so a sync ends when every version is stored and
  // its download queued (no downloader competes for the cores). The scheduler joins for the scheduled
  // syncs, after the cold and manual ones of both registries.
  const charthouse = await startCharthouse({ only: ["registry-api", "oci-fetcher"] });
  await own(() => charthouse.stop());
  const singleRegistry = { name: "bench-500-tags", url: `oci://${proxy.host}/${singleRepository}`, charts: 1, versions: tagCount };
  const namespaceRegistry = { name: "bench-namespace", url: `oci://${proxy.host}/${namespace}`, charts: namespaceSize, versions: namespaceSize };
  progress("Charthouse is up");
  const singleFirst = await coldAndManualSyncs(charthouse, proxy, singleRegistry);
  progress(`Charthouse on ${tagCount} tags: cold ${singleFirst.figures.coldDurationMs} ms`);
  const namespaceFirst = await coldAndManualSyncs(charthouse, proxy, namespaceRegistry);
  progress(`Charthouse on the namespace: cold ${namespaceFirst.figures.coldDurationMs} ms`);
  await startScheduler(charthouse);
  progress("scheduler is up; waiting for the scheduled syncs");
  const single: CharthouseFigures = { ...singleFirst.figures, ...(await scheduledSync(charthouse, proxy, singleFirst.id)) };
  const spaced: CharthouseFigures = { ...namespaceFirst.figures, ...(await scheduledSync(charthouse, proxy, namespaceFirst.id)) };

  const ms = (value: number): string => value.toFixed(value < 100 ? 1 : 0);
  const row = (measure: string, ours: number, theirs: number): string => `| ${measure} | ${ms(ours)} | ${ms(theirs)} | ${(ours / theirs).toFixed(3)} |`;
  const timeRows = (label: string, ours: CharthouseFigures, theirs: CliFigures, listing: string): string[] => [
    row(`${label}: cold sync, POST to finished_at (ms)`, ours.coldToFinishedMs, theirs.totalMs),
    row(`${label}: cold sync, duration_ms`, ours.coldDurationMs, theirs.totalMs),
    row(`${label}: unchanged manual sync, duration_ms (median of ${manualRuns})`, ours.manualMs, theirs.totalMs),
    row(`${label}: unchanged scheduled sync, duration_ms`, ours.scheduledMs, theirs.totalMs),
    row(`${label}: unchanged scheduled sync vs ${listing} alone (ms)`, ours.scheduledMs, theirs.listingMs),
  ];
  const otherRequests: string[] = [];
  const requestRow = (label: string, requests: readonly ProxiedRequest[]): string => {
    const { cells, other } = requestCounts(requests);
    if (other.length > 0) otherRequests.push(`${label}: ${other.join(", ")}`);
    return `| ${label} | ${cells} |`;
  };
  const requestRows = (label: string, ours: CharthouseFigures, theirs: CliFigures): string[] => [
    requestRow(`${label}: Charthouse cold sync`, ours.coldRequests),
    requestRow(`${label}: Charthouse unchanged manual sync (the last of ${manualRuns})`, ours.manualRequests),
    requestRow(`${label}: Charthouse unchanged scheduled sync`, ours.scheduledRequests),
    requestRow(`${label}: skopeo list-tags + helm show chart`, theirs.requests),
  ];
  const lines = [
    `Registry: Debian docker-registry behind a recording proxy; ${singleRepository} with ${tagCount} tags (1.0.0 .. 1.0.${tagCount - 1}) and ` +
      `${namespaceSize} chart repositories under ${namespace}/ (one tag each), pushed through the distribution API in ${pushSeconds.toFixed(1)} s.`,
    `skopeo+helm: skopeo list-tags per repository, then helm show chart --plain-http for every tag, ${cliConcurrency} processes at a time ` +
      `(the namespace's repositories from GET /v2/_catalog, which neither tool lists), through the same proxy.`,
    "Charthouse: registry-api and oci-fetcher (no downloader: a sync ends when every version is stored and its download queued); " +
      "the scheduler joins for the scheduled syncs. A manual sync also HEADs every known tag's manifest; a scheduled one within " +
      "CHARTHOUSE_OCI_RECHECK_SECONDS (1 h) does not.",
    "",
    "| measure | Charthouse | skopeo+helm | Charthouse / skopeo+helm |",
    "| --- | --- | --- | --- |",
    ...timeRows(`${tagCount} tags`, single, singleCli, "skopeo list-tags"),
    ...timeRows(`namespace of ${namespaceSize}`, spaced, namespaceCli, "_catalog + skopeo list-tags"),
    "",
    `| registry requests | total | ${requestKinds.map(([kind]) => kind).join(" | ")} | other | not 2xx |`,
    `|${" --- |".repeat(requestKinds.length + 4)}`,
    ...requestRows(`${tagCount} tags`, single, singleCli),
    ...requestRows(`namespace of ${namespaceSize}`, spaced, namespaceCli),
    "",
    ...otherRequests.map((line) => `Other requests, ${line}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  const goal = "OCI sync";
  await recordGoals("oci_sync", [
    { goal, figure: `cold sync of ${tagCount} tags (ms)`, charthouse: single.coldToFinishedMs, peer: { name: "skopeo+helm", value: singleCli.totalMs }, target: "-", holds: null },
    { goal, figure: `cold sync, namespace of ${namespaceSize} (ms)`, charthouse: spaced.coldToFinishedMs, peer: { name: "skopeo+helm", value: namespaceCli.totalMs }, target: "-", holds: null },
    { goal, figure: `unchanged scheduled sync of ${tagCount} tags (ms)`, charthouse: single.scheduledMs, peer: { name: "skopeo list-tags", value: singleCli.listingMs }, target: "-", holds: null },
  ]);
}

const finished = main();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    interrupted = true;
    // Give a step in progress up to 15 s to own what it starts (so it is stopped too), then leave.
    const grace = new Promise((resolve) => setTimeout(resolve, 15_000).unref());
    void cleanUp()
      .then(() => Promise.race([finished.catch(() => undefined), grace]))
      .finally(() => process.exit(130));
  });
}
try {
  await finished;
} catch (err) {
  // After Ctrl-C the run fails on the peers just stopped: that is the interruption, not a finding.
  if (!interrupted) throw err;
} finally {
  await cleanUp();
}
