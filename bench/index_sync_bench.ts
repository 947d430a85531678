/**
 * Cold and unchanged sync of the 17,767-version index made by merging every real index in
 * shared/data/indexes, each version given a small valid archive served by the same nginx, in the
 * whole running stack (downloads flowing as the sync writes), beside `helm repo update` on the
 * same file. Prints one table and records goal 1's rows; run with `npm run bench -- index_sync`.
 */
import { execFile } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { helmBinary, helmEnvironment, makeHelmHome, makeTempDir, runHelm, startNginx, waitFor } from "@charthouse/testing";
import pg from "pg";
import { startCharthouse } from "../test/support/running_charthouse.ts";
import { mergeIndexes } from "./merge_indexes.ts";
import { recordGoals } from "./support/goals.ts";
import { resetStatements, topStatements } from "./support/postgres_profile.ts";
import { serveArchivesFor } from "./support/served_archives.ts";
import { median, peakRssMb } from "./support/measures.ts";

const run = promisify(execFile);
const dataDir = new URL("../../shared/data/indexes/", import.meta.url).pathname;

interface SyncRun {
  id: string;
  outcome: string | null;
  duration_ms: number | null;
  finished_at: string | null;
  versions_added: number | null;
  http_status: number | null;
}

async function timeHelm(args: string[], home: string): Promise<{ seconds: number; peakMb: number }> {
  const helm = await helmBinary();
  const { stderr } = await run("/usr/bin/time", ["-f", "%e %M", helm, ...args], { env: helmEnvironment(home), maxBuffer: 64 << 20 });
  const [seconds, kb] = stderr.trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds: seconds!, peakMb: kb! / 1024 };
}

/**
 * How long the bench watches the downloads after the sync: every version's download and
 * extraction is the download bench's subject, and waiting for all 17,767 here would make this
 * bench take many minutes without bearing on its goals.
 */
const SETTLE_WATCH_MS = 120_000;

/** Versions of a registry by state once none is on its way, or when the watch ends. */
async function watchSettling(databaseUrl: string, registryId: string, expected: number): Promise<{ states: Record<string, number>; all: boolean }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const until = performance.now() + SETTLE_WATCH_MS;
    for (;;) {
      const { rows } = await client.query<{ state: string; n: number }>(
        "SELECT state, count(*)::int AS n FROM chart_versions WHERE registry_id = $1 GROUP BY state",
        [registryId],
      );
      const states = Object.fromEntries(rows.map((r) => [r.state, r.n]));
      const all = (states.ready ?? 0) + (states.failed ?? 0) >= expected;
      if (all || performance.now() > until) return { states, all };
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}

const files = (await readdir(dataDir)).filter((f) => f.endsWith(".yaml")).sort();
const root = await makeTempDir("charthouse-bench-");
const served = await serveArchivesFor(mergeIndexes(files.map((f) => join(dataDir, f))), root);
const merged = served.index;
await writeFile(join(root, "index.yaml"), merged);
const nginx = await startNginx({ root, gzip: true });
const plain = await startNginx({ root, validators: false });

// helm: add the repository once, then time `helm repo update` (downloads and loads the index).
const helmHome = await makeHelmHome();
await runHelm(["repo", "add", "bench", nginx.url], { home: helmHome });
const helmUpdate = await timeHelm(["repo", "update", "bench"], helmHome);

// Charthouse: every service, as `npm start` runs them; the archives download while the sync writes.
const charthouse = await startCharthouse().catch(async (err: unknown) => {
  await nginx.stop();
  await plain.stop();
  throw err;
});
try {
  const fetcher = charthouse.stack.processes.find((p) => p.service === "index-fetcher")!;
  const idleMb = await peakRssMb(fetcher.child.pid!);
  const syncOf = async (registryId: string, syncId?: string): Promise<SyncRun> =>
    await waitFor(
      async () => {
        const runs = (await charthouse.api<{ items: SyncRun[] }>("GET", `/registries/${registryId}/syncs`)).body.items;
        const found = syncId ? runs.find((r) => r.id === syncId) : runs[runs.length - 1];
        return found?.finished_at ? found : false;
      },
      { what: "the sync to finish", timeoutMs: 300_000, intervalMs: 100 },
    );
  await resetStatements(charthouse.databaseUrl);
  const created = await charthouse.api<{ id: string }>("POST", "/registries", { name: "bench", url: nginx.url, sync_interval_seconds: 0 });
  const coldStarted = performance.now();
  const cold = await syncOf(created.body.id);
  const coldPeakMb = await peakRssMb(fetcher.child.pid!);
  const coldStatements = await topStatements(charthouse.databaseUrl);
  const settled = await watchSettling(charthouse.databaseUrl, created.body.id, cold.versions_added ?? 0);
  const watchedSeconds = (performance.now() - coldStarted) / 1000;
  const readyPerSecond = (settled.states.ready ?? 0) / watchedSeconds;
  const peaks = await Promise.all(
    charthouse.stack.processes.map(async (p) => ({ service: p.service, mb: await peakRssMb(p.child.pid!) })),
  );
  peaks.sort((a, b) => b.mb - a.mb);
  const largest = peaks[0]!;

  const resyncs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${created.body.id}/sync`);
    const resync = await syncOf(created.body.id, body.sync_id);
    if (resync.outcome !== "unchanged" || resync.http_status !== 304) throw new Error(`Expected a 304, got ${JSON.stringify(resync)}`);
    resyncs.push(resync.duration_ms ?? NaN);
  }

  const plainRegistry = await charthouse.api<{ id: string }>("POST", "/registries", { name: "bench-plain", url: plain.url, sync_interval_seconds: 0 });
  await syncOf(plainRegistry.body.id);
  const hashResyncs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const { body } = await charthouse.api<{ sync_id: string }>("POST", `/registries/${plainRegistry.body.id}/sync`);
    const resync = await syncOf(plainRegistry.body.id, body.sync_id);
    if (resync.outcome !== "unchanged") throw new Error(`Expected unchanged, got ${JSON.stringify(resync)}`);
    hashResyncs.push(resync.duration_ms ?? NaN);
  }

  const coldSeconds = (cold.duration_ms ?? NaN) / 1000;
  const lines = [
    `Index: ${files.length} real indexes merged, ${(Buffer.byteLength(merged) / 1e6).toFixed(1)} MB; ${cold.versions_added} versions stored and their downloads queued (duplicate chart versions are kept once); ${served.archives} archives served`,
    "",
    "| measure | Charthouse | helm repo update | Charthouse / helm |",
    "| --- | --- | --- | --- |",
    `| cold sync run, index stored and every download requested (s) | ${coldSeconds.toFixed(2)} | ${helmUpdate.seconds.toFixed(2)} | ${(coldSeconds / helmUpdate.seconds).toFixed(2)} |`,
    `| index-fetcher peak memory at the sync's end (MB) | ${coldPeakMb.toFixed(0)} | ${helmUpdate.peakMb.toFixed(0)} | ${(coldPeakMb / helmUpdate.peakMb).toFixed(2)} |`,
    `| of which the sync itself, peak less idle service (MB) | ${(coldPeakMb - idleMb).toFixed(0)} (idle ${idleMb.toFixed(0)}) | - | - |`,
    ...peaks.map((p) => `| ${p.service} peak memory, sync and downloads (MB) | ${p.mb.toFixed(0)} | ${helmUpdate.peakMb.toFixed(0)} | ${(p.mb / helmUpdate.peakMb).toFixed(2)} |`),
    `| versions by state ${watchedSeconds.toFixed(0)} s after the registry was added${settled.all ? " (all settled)" : ""} | ${JSON.stringify(settled.states)} | - | ${readyPerSecond.toFixed(1)} ready/s |`,
    `| unchanged re-sync, 304 (ms, median of 5) | ${median(resyncs).toFixed(1)} | - | target < 20 ms: ${(median(resyncs) / 20).toFixed(2)} of it |`,
    `| unchanged re-sync, content hash, no validators (ms, median of 5) | ${median(hashResyncs).toFixed(1)} | - | - |`,
  ];
  lines.push("", "Postgres during the cold sync (the downloads' statements included):", ...coldStatements);
  process.stdout.write(`${lines.join("\n")}\n`);
  // The index-fetcher's own account of each full sync: versions, and milliseconds per phase.
  for (const line of charthouse.logs().split("\n").filter((l) => l.includes("Index synced"))) {
    const { versions, phasesMs } = JSON.parse(line) as { versions: number; phasesMs: Record<string, number> };
    process.stdout.write(`index-fetcher phases for ${versions} versions (ms): ${JSON.stringify(phasesMs)}\n`);
  }
  const goal = "1 cold big index";
  await recordGoals("index_sync", [
    {
      goal,
      figure: "sync run (s)",
      charthouse: coldSeconds,
      peer: { name: "helm repo update", value: helmUpdate.seconds },
      target: "< 1x helm",
      holds: coldSeconds < helmUpdate.seconds,
    },
    {
      goal,
      figure: `largest process peak RSS (MB), ${largest.service}`,
      charthouse: largest.mb,
      peer: { name: "helm repo update", value: helmUpdate.peakMb },
      target: "< 0.5x helm",
      holds: largest.mb < 0.5 * helmUpdate.peakMb,
    },
    { goal, figure: "unchanged re-sync, 304 (ms, median of 5)", charthouse: median(resyncs), target: "reported", holds: null },
    { goal, figure: "versions ready per second while the sync and downloads ran", charthouse: readyPerSecond, target: "reported", holds: null },
  ]);
} finally {
  await charthouse.stop();
  await nginx.stop();
  await plain.stop();
}
